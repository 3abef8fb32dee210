"""Posting entries: the locked account row, the unique key, the balance.

Every operation runs in one transaction that first locks the customer's
account row (``SELECT ... FOR UPDATE``), so operations on one balance take
turns. An entry whose idempotency key is already in the table is not stored
again. Debits consume the unspent ``remaining`` of the customer's credits,
oldest first (a refund first takes back from the order's own earning, then
from the codes it withdrew), which is what expiry later finds left to expire.
"""

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import StrEnum

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from ..core.host import get_host
from .models import LedgerEntry, LoyaltyAccount
from .settings import LoyaltySettings
from .standing import earned_in_window, tier_of

logger = logging.getLogger(__name__)


class Code(StrEnum):
    LOYALTY_DISABLED = "LOYALTY_DISABLED"
    BELOW_MINIMUM = "BELOW_MINIMUM"
    NOT_ENOUGH_POINTS = "NOT_ENOUGH_POINTS"
    REASON_REQUIRED = "REASON_REQUIRED"
    INVALID_POINTS = "INVALID_POINTS"
    INVALID_REASON = "INVALID_REASON"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    OWN_ACCOUNT = "OWN_ACCOUNT"


class LoyaltyError(Exception):
    """A refused operation; nothing was written."""

    def __init__(self, code: Code, message: str) -> None:
        super().__init__(message)
        self.code = code


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


def stored(key: str) -> LedgerEntry | None:
    return LedgerEntry.objects.filter(idempotency_key=key).first()


def insert(entry: LedgerEntry) -> bool:
    """Insert the entry unless its key is already stored (by anyone, any time)."""
    try:
        with transaction.atomic():
            entry.save(force_insert=True)
    except IntegrityError:
        if stored(entry.idempotency_key) is None:
            raise  # not a duplicate key: a real constraint failure
        return False
    return True


def post(
    account: LoyaltyAccount, entry: LedgerEntry, first: Sequence[int] = ()
) -> None:
    """Move the balance by the entry; a debit consumes the credits ``first``
    names, in that order, then the oldest."""
    if entry.points > 0:
        entry.remaining = entry.points
        LedgerEntry.objects.filter(pk=entry.pk).update(remaining=entry.points)
    elif entry.points < 0:
        _consume(account, -entry.points, first)
    account.balance += entry.points
    LoyaltyAccount.objects.filter(pk=account.pk).update(
        balance=F("balance") + entry.points
    )


def _consume(account: LoyaltyAccount, points: int, first: Sequence[int]) -> None:
    credits = LedgerEntry.objects.filter(
        channel=account.channel, customer_id=account.customer_id, remaining__gt=0
    )
    named = credits.in_bulk(list(first))
    ordered = [named[pk] for pk in first if pk in named]
    ordered += list(credits.exclude(pk__in=list(first)).order_by("occurred_at", "id"))
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


def expiry(settings: LoyaltySettings, at: datetime) -> datetime | None:
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
    transaction.on_commit(lambda: report_tiers([change]))


def report_tiers(changes: list[tuple[int, str, str]]) -> None:
    """Tell the host of tier changes (customer, channel, tier), in order."""
    try:
        get_host().tiers_changed(changes)
    except Exception:
        # Tagging the store's own records is a courtesy; the ledger is saved.
        logger.exception("Could not report %d loyalty tier changes", len(changes))
