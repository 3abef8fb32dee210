"""Points in and out of the ledger, each exactly once.

Every operation runs in one transaction that first locks the customer's
account row (``SELECT ... FOR UPDATE``), so operations on one balance take
turns: two redemptions of the same points cannot both pass the balance check.
Each entry's idempotency key is unique in the table; an operation whose key
is already there changes nothing and returns the entry stored the first time.

Debits consume the unspent ``remaining`` of the customer's credits, oldest
first (a refund first takes back from the order's own earning), which is what
expiry later finds left to expire.
"""

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_FLOOR, Decimal
from enum import StrEnum
from typing import TypeVar

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Sum
from django.utils import timezone

from ..core.host import get_host
from .models import Kind, LedgerEntry, LoyaltyAccount
from .settings import LoyaltySettings, Tier

T = TypeVar("T")
logger = logging.getLogger(__name__)

TIER_WINDOW = timedelta(days=365)
EXPIRING_SOON_DAYS = 30
EXPIRY_BATCH = 500
# What counts as earned for tiers: earnings, less what refunds took back.
EARNED_KINDS = (Kind.EARN_ORDER, Kind.EARN_REVIEW, Kind.REVERSE_REFUND)


class Code(StrEnum):
    LOYALTY_DISABLED = "LOYALTY_DISABLED"
    BELOW_MINIMUM = "BELOW_MINIMUM"
    NOT_ENOUGH_POINTS = "NOT_ENOUGH_POINTS"
    REASON_REQUIRED = "REASON_REQUIRED"
    INVALID_POINTS = "INVALID_POINTS"


class LoyaltyError(Exception):
    """A refused operation; nothing was written."""

    def __init__(self, code: Code, message: str) -> None:
        super().__init__(message)
        self.code = code


# -- reading --------------------------------------------------------------


def tier_of(earned: int, tiers: tuple[Tier, ...]) -> Tier:
    """The highest tier whose threshold ``earned`` points reach."""
    reached = tiers[0]
    for tier in tiers:
        if earned >= tier.threshold:
            reached = tier
    return reached


def points_to_next_tier(earned: int, tiers: tuple[Tier, ...]) -> int | None:
    """Points still to earn for the next tier; None at the top one."""
    for tier in tiers:
        if tier.threshold > earned:
            return tier.threshold - earned
    return None


def balance(channel: str, customer: int) -> int:
    found = (
        LoyaltyAccount.objects.filter(channel=channel, customer_id=customer)
        .values_list("balance", flat=True)
        .first()
    )
    return found or 0


def earned_in_window(channel: str, customer: int, at: datetime) -> int:
    """Points earned (net of refund reversals) in the 365 days up to ``at``."""
    total = LedgerEntry.objects.filter(
        channel=channel,
        customer_id=customer,
        kind__in=EARNED_KINDS,
        occurred_at__gt=at - TIER_WINDOW,
        occurred_at__lte=at,
    ).aggregate(total=Sum("points"))["total"]
    return max(total or 0, 0)


def expiring_within(
    channel: str,
    customer: int,
    days: int = EXPIRING_SOON_DAYS,
    now: datetime | None = None,
) -> int:
    """Unspent points whose expiry falls in the next ``days`` days."""
    now = now or timezone.now()
    total = LedgerEntry.objects.filter(
        channel=channel,
        customer_id=customer,
        remaining__gt=0,
        expires_at__isnull=False,
        expires_at__lte=now + timedelta(days=days),
    ).aggregate(total=Sum("remaining"))["total"]
    return total or 0


@dataclass(frozen=True)
class Standing:
    """A customer's loyalty at a glance (what ``myLoyalty`` answers)."""

    balance: int
    tier: Tier
    earned_in_window: int
    points_to_next_tier: int | None
    expiring_soon: int


def standing(
    channel: str, customer: int, settings: LoyaltySettings, now: datetime | None = None
) -> Standing:
    now = now or timezone.now()
    earned = earned_in_window(channel, customer, now)
    return Standing(
        balance=balance(channel, customer),
        tier=tier_of(earned, settings.tiers),
        earned_in_window=earned,
        points_to_next_tier=points_to_next_tier(earned, settings.tiers),
        expiring_soon=expiring_within(channel, customer, EXPIRING_SOON_DAYS, now),
    )


# -- writing --------------------------------------------------------------


def locked_account(channel: str, customer: int) -> LoyaltyAccount:
    """The account row, created if need be, locked until the transaction ends."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {LoyaltyAccount._meta.db_table} "
            "(channel, customer_id, balance, tier) VALUES (%s, %s, 0, '') "
            "ON CONFLICT (customer_id, channel) DO NOTHING",
            [channel, customer],
        )
    return LoyaltyAccount.objects.select_for_update().get(
        channel=channel, customer_id=customer
    )


def _stored(key: str) -> LedgerEntry | None:
    return LedgerEntry.objects.filter(idempotency_key=key).first()


def _insert(entry: LedgerEntry) -> bool:
    """Insert the entry unless its key is already stored (by anyone, any time)."""
    try:
        with transaction.atomic():
            entry.save(force_insert=True)
    except IntegrityError:
        if _stored(entry.idempotency_key) is None:
            raise  # not a duplicate key: a real constraint failure
        return False
    return True


def _post(
    account: LoyaltyAccount, entry: LedgerEntry, first: int | None = None
) -> None:
    """Move the balance by the entry; a debit consumes credits oldest first."""
    if entry.points > 0:
        entry.remaining = entry.points
        LedgerEntry.objects.filter(pk=entry.pk).update(remaining=entry.points)
    elif entry.points < 0:
        _consume(account, -entry.points, first)
    account.balance += entry.points
    LoyaltyAccount.objects.filter(pk=account.pk).update(
        balance=F("balance") + entry.points
    )


def _consume(account: LoyaltyAccount, points: int, first: int | None) -> None:
    credits = LedgerEntry.objects.filter(
        channel=account.channel, customer_id=account.customer_id, remaining__gt=0
    )
    ordered = list(credits.filter(pk=first)) if first else []
    oldest = credits.exclude(pk__in=[first] if first else []).order_by(
        "occurred_at", "id"
    )
    ordered += list(oldest)
    left = points
    for credit in ordered:
        if left == 0:
            break
        taken = min(left, credit.remaining)
        LedgerEntry.objects.filter(pk=credit.pk).update(
            remaining=F("remaining") - taken
        )
        left -= taken
    if left:
        # The balance row and the credits disagree: refuse rather than guess.
        raise RuntimeError(
            f"Loyalty account {account.pk} has {points - left} unspent points "
            f"in its credits, not {points}"
        )


def _expiry(settings: LoyaltySettings, at: datetime) -> datetime | None:
    days = settings.points_expire_days
    return at + timedelta(days=days) if days else None


def refresh_tier(
    account: LoyaltyAccount, settings: LoyaltySettings, now: datetime | None = None
) -> None:
    """Store the account's tier; tell the host after commit if it changed."""
    now = now or timezone.now()
    earned = earned_in_window(account.channel, account.customer_id, now)
    name = tier_of(earned, settings.tiers).name
    if name == account.tier:
        return
    account.tier = name
    LoyaltyAccount.objects.filter(pk=account.pk).update(tier=name)
    change = (account.customer_id, account.channel, name)
    transaction.on_commit(lambda: _report_tiers([change]))


def _report_tiers(changes: list[tuple[int, str, str]]) -> None:
    try:
        get_host().tiers_changed(changes)
    except Exception:
        # Tagging the store's own records is a courtesy; the ledger is saved.
        logger.exception("Could not report %d loyalty tier changes", len(changes))


def whole_units(amount: Decimal) -> int:
    return int(amount.to_integral_value(rounding=ROUND_FLOOR))


def earn_for_order(
    channel: str,
    customer: int,
    order_id: str,
    net_total: Decimal,
    settings: LoyaltySettings,
    at: datetime,
) -> LedgerEntry | None:
    """Credit a fully paid order: points per whole unit, times the tier then."""
    key = f"earn_order:{channel}:{order_id}"
    with transaction.atomic():
        account = locked_account(channel, customer)
        if (found := _stored(key)) is not None:
            return found
        tier = tier_of(earned_in_window(channel, customer, at), settings.tiers)
        base = max(whole_units(net_total), 0) * settings.points_per_unit
        points = whole_units(base * tier.multiplier)
        if points <= 0:
            return None
        entry = LedgerEntry(
            channel=channel,
            customer_id=customer,
            kind=Kind.EARN_ORDER,
            points=points,
            idempotency_key=key,
            occurred_at=at,
            expires_at=_expiry(settings, at),
            amount=net_total,
            order_id=order_id,
        )
        return _earned(account, entry, settings)


def _earned(
    account: LoyaltyAccount, entry: LedgerEntry, settings: LoyaltySettings
) -> LedgerEntry | None:
    """Post an earning once: a key already stored returns its entry."""
    if not _insert(entry):
        return _stored(entry.idempotency_key)
    _post(account, entry)
    refresh_tier(account, settings)
    return entry


def reverse_for_refund(
    channel: str,
    customer: int,
    order_id: str,
    refunded: Decimal,
    order_total: Decimal,
    refund_key: str,
    at: datetime,
    settings: LoyaltySettings | None = None,
) -> LedgerEntry | None:
    """Take back what a refunded order earned, in proportion, never below zero.

    ``refunded`` is what the order has had refunded so far, this refund
    included; a refund of the whole total takes back everything the order
    earned. The entry asks for the points the proportion (rounded down) calls
    for beyond what earlier refunds of the order asked for; what the balance
    cannot cover is recorded as ``shortfall`` and not asked for again.
    """
    key = f"reverse_refund:{channel}:{order_id}:{refund_key}"
    with transaction.atomic():
        account = locked_account(channel, customer)
        if (found := _stored(key)) is not None:
            return found
        earning = _stored(f"earn_order:{channel}:{order_id}")
        if earning is None:
            return None
        if order_total <= 0 or refunded >= order_total:
            target = earning.points
        else:
            target = whole_units(earning.points * refunded / order_total)
        before = LedgerEntry.objects.filter(
            channel=channel, order_id=order_id, kind=Kind.REVERSE_REFUND
        ).aggregate(asked=Sum(F("shortfall") - F("points")))["asked"]
        wanted = target - (before or 0)
        if wanted <= 0:
            return None
        taken = min(wanted, account.balance)
        entry = LedgerEntry(
            channel=channel,
            customer_id=customer,
            kind=Kind.REVERSE_REFUND,
            points=-taken,
            shortfall=wanted - taken,
            idempotency_key=key,
            occurred_at=at,
            amount=refunded,
            order_id=order_id,
        )
        if not _insert(entry):
            return _stored(key)
        _post(account, entry, first=earning.pk)
        if settings is not None:
            refresh_tier(account, settings)
        return entry


def earn_for_review(
    channel: str,
    customer: int,
    product: str,
    review_id: str,
    settings: LoyaltySettings,
    at: datetime,
) -> LedgerEntry | None:
    """Credit a verified review, once per customer and product."""
    key = f"earn_review:{channel}:{customer}:{product}"
    with transaction.atomic():
        account = locked_account(channel, customer)
        if (found := _stored(key)) is not None:
            return found
        if settings.review_points <= 0:
            return None
        entry = LedgerEntry(
            channel=channel,
            customer_id=customer,
            kind=Kind.EARN_REVIEW,
            points=settings.review_points,
            idempotency_key=key,
            occurred_at=at,
            expires_at=_expiry(settings, at),
            review_id=review_id,
            product=product,
        )
        return _earned(account, entry, settings)


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
            kind=Kind.REDEEM,
            points=-points,
            idempotency_key=key or f"redeem:{channel}:{customer}:{uuid.uuid4()}",
            occurred_at=at or timezone.now(),
            amount=value,
        )
        entry.save(force_insert=True)
        _post(account, entry)
        return create_code(value)


def adjust(
    channel: str,
    customer: int,
    points: int,
    reason: str,
    staff_user_id: str,
    key: str,
    at: datetime | None = None,
) -> LedgerEntry:
    """A staff correction, with its reason; it cannot take the balance below 0."""
    reason = (reason or "").strip()
    if not reason:
        raise LoyaltyError(Code.REASON_REQUIRED, "Say why the points are adjusted.")
    if points == 0:
        raise LoyaltyError(
            Code.INVALID_POINTS, "Adjust by a non-zero number of points."
        )
    key = f"adjust:{channel}:{key}"
    with transaction.atomic():
        account = locked_account(channel, customer)
        if (found := _stored(key)) is not None:
            return found
        if account.balance + points < 0:
            raise LoyaltyError(
                Code.NOT_ENOUGH_POINTS,
                f"The balance is {account.balance} points; it cannot go below 0.",
            )
        entry = LedgerEntry(
            channel=channel,
            customer_id=customer,
            kind=Kind.ADJUST,
            points=points,
            idempotency_key=key,
            occurred_at=at or timezone.now(),
            reason=reason,
            staff_user_id=str(staff_user_id or ""),
        )
        entry.save(force_insert=True)
        _post(account, entry)
        return entry


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
                kind=Kind.EXPIRE,
                points=-credit.remaining,
                idempotency_key=f"expire:{credit.pk}",
                occurred_at=credit.expires_at or now,
                order_id=credit.order_id,
            )
            if not _insert(entry):
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
