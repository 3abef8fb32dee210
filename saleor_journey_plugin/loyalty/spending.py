"""Points out: redemptions, staff adjustments, expiry; tiers that lapse."""

import re
import uuid
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import TypeVar

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ..core.events import normalize_email
from ..core.host import get_host
from ..models import Customer
from .models import EntryKind, LedgerEntry, LoyaltyAccount
from .posting import (
    Code,
    LoyaltyError,
    insert,
    locked_account,
    post,
    refresh_tier,
    stored,
)
from .settings import MAX_POINTS, LoyaltySettings

T = TypeVar("T")
EXPIRY_BATCH = 500
# A staff adjustment's reason: a note, not a document.
MAX_REASON = 500
# C0 controls and DEL but tab and line breaks (PostgreSQL refuses NUL outright).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def redeem(
    channel: str,
    customer: int,
    points: int,
    settings: LoyaltySettings,
    create_code: Callable[[Decimal], T],
    *,
    key: str | None = None,
    at: datetime | None = None,
) -> T:
    """Debit ``points`` and create the code worth them, or do neither.

    ``create_code`` gets the value (points x point value) and runs inside the
    transaction holding the account lock: if it raises, nothing is debited.
    """
    if not settings.enabled:
        raise LoyaltyError(Code.LOYALTY_DISABLED, "Loyalty points are off here.")
    if points < settings.min_redeem_points:
        raise LoyaltyError(
            Code.BELOW_MINIMUM,
            f"Redeem at least {settings.min_redeem_points} points, not {points}.",
        )
    value = points * settings.point_value
    with transaction.atomic():
        account = locked_account(channel, customer)
        if account.balance < points:
            raise LoyaltyError(
                Code.NOT_ENOUGH_POINTS,
                f"The balance is {account.balance} points, less than {points}.",
            )
        entry = LedgerEntry(
            channel=channel,
            customer_id=customer,
            kind=EntryKind.REDEEM,
            points=-points,
            idempotency_key=key or f"redeem:{channel}:{customer}:{uuid.uuid4()}",
            occurred_at=at or timezone.now(),
            amount=value,
        )
        entry.save(force_insert=True)
        post(account, entry)
        return create_code(value)


def adjust(
    channel: str,
    customer: int,
    points: int,
    reason: str,
    staff_user_id: str,
    key: str,
    at: datetime | None = None,
    *,
    staff_email: str = "",
) -> LedgerEntry:
    """A staff correction, with its reason; it cannot take the balance below 0.

    ``key`` names the correction: made again with the same key (a retried
    request), it changes nothing and returns the entry stored the first time;
    a key already used for another customer or amount is refused. A credit
    to the staff member's own records (``staff_user_id``, ``staff_email``)
    is refused: points are money.
    """
    reason = (reason or "").strip()
    if not reason:
        raise LoyaltyError(Code.REASON_REQUIRED, "Say why the points are adjusted.")
    if len(reason) > MAX_REASON or _CONTROL.search(reason):
        raise LoyaltyError(
            Code.INVALID_REASON,
            f"The reason must be at most {MAX_REASON} characters, with no "
            "control characters other than line breaks and tabs.",
        )
    if points == 0 or abs(points) > MAX_POINTS:
        raise LoyaltyError(
            Code.INVALID_POINTS,
            f"Adjust by a non-zero number of points from -{MAX_POINTS} to "
            f"{MAX_POINTS}, not {points}.",
        )
    if points > 0 and _is_own(customer, str(staff_user_id or ""), staff_email):
        raise LoyaltyError(
            Code.OWN_ACCOUNT, "Staff cannot add points to their own account."
        )
    key = f"adjust:{channel}:{key}"
    with transaction.atomic():
        account = locked_account(channel, customer)
        if (found := stored(key)) is not None:
            if (found.customer_id, found.points, found.reason) != (
                customer,
                points,
                reason,
            ):
                raise LoyaltyError(
                    Code.IDEMPOTENCY_KEY_REUSED,
                    "This key was used for another adjustment.",
                )
            return found
        if account.balance + points < 0:
            raise LoyaltyError(
                Code.NOT_ENOUGH_POINTS,
                f"The balance is {account.balance} points; it cannot go below 0.",
            )
        entry = LedgerEntry(
            channel=channel,
            customer_id=customer,
            kind=EntryKind.ADJUST,
            points=points,
            idempotency_key=key,
            occurred_at=at or timezone.now(),
            reason=reason,
            staff_user_id=str(staff_user_id or ""),
            staff_email=staff_email or "",
        )
        if not insert(entry):
            # The same key committed meanwhile for another customer's lock.
            raise LoyaltyError(
                Code.IDEMPOTENCY_KEY_REUSED, "This key was used for another adjustment."
            )
        post(account, entry)
        return entry


def _is_own(customer: int, staff_user_id: str, staff_email: str) -> bool:
    """Whether the customer record is the staff member's own: their account,
    or any record (a guest, a visitor who typed it) with their email."""
    found = Customer.objects.filter(pk=customer).values_list("user_id", "email")
    user_id, email = found.first() or (None, "")
    return bool(staff_user_id and user_id == staff_user_id) or bool(
        staff_email and email == normalize_email(staff_email)
    )


def expire_due(now: datetime | None = None, limit: int = EXPIRY_BATCH) -> int:
    """Write an ``expire`` entry for the unspent rest of each earning past its
    expiry, up to ``limit`` of them; return how many were written."""
    now = now or timezone.now()
    due = list(
        LedgerEntry.objects.filter(
            remaining__gt=0, expires_at__isnull=False, expires_at__lte=now
        )
        .order_by("expires_at", "id")
        .values_list("pk", "channel", "customer_id")[:limit]
    )
    written = 0
    for pk, channel, customer in due:
        with transaction.atomic():
            # An erased person's earnings expire too, with no account to debit.
            account = None if customer is None else locked_account(channel, customer)
            credit = LedgerEntry.objects.select_for_update().get(pk=pk)
            if credit.remaining <= 0 or credit.customer_id != customer:
                continue  # spent or moved meanwhile; the next sweep sees it
            entry = LedgerEntry(
                channel=channel,
                customer_id=customer,
                kind=EntryKind.EXPIRE,
                points=-credit.remaining,
                idempotency_key=f"expire:{credit.pk}",
                occurred_at=credit.expires_at or now,
                order_id=credit.order_id,
            )
            if not insert(entry):
                continue
            LedgerEntry.objects.filter(pk=credit.pk).update(remaining=0)
            if account is not None:
                LoyaltyAccount.objects.filter(pk=account.pk).update(
                    balance=F("balance") + entry.points
                )
            written += 1
    return written


def expire_all_due(now: datetime | None = None, batch: int = EXPIRY_BATCH) -> int:
    """Expire in batches of ``batch`` until nothing is due; return the count."""
    total = 0
    while True:
        written = expire_due(now, batch)
        total += written
        if written < batch:
            return total


def refresh_tiers(now: datetime | None = None, batch: int = EXPIRY_BATCH) -> int:
    """Lower the tiers whose earnings have left the window; return how many
    accounts changed tier. Accounts in a channel's first tier cannot drop."""
    now = now or timezone.now()
    changed = 0
    after = 0
    settings: dict[str, LoyaltySettings | None] = {}
    while True:
        rows = list(
            LoyaltyAccount.objects.filter(pk__gt=after)
            .exclude(tier="")
            .order_by("pk")
            .values_list("pk", "channel", "customer_id", "tier")[:batch]
        )
        for _pk, channel, customer, tier in rows:
            if channel not in settings:
                found = get_host().channel_settings(channel)
                settings[channel] = found.loyalty if found else None
            loyalty = settings[channel]
            if loyalty is None or tier == loyalty.tiers[0].name:
                continue
            with transaction.atomic():
                account = locked_account(channel, customer)
                refresh_tier(account, loyalty, now)
                changed += account.tier != tier
        if len(rows) < batch:
            return changed
        after = rows[-1][0]
