"""Codes taken back: a refund of points the customer already redeemed.

Otherwise the store would pay twice: once in the refund, once in the code. So
when a refund reversal asks for more points than the balance holds, the
unused codes redeemed since the order earned are withdrawn, newest first,
until their points cover what is missing; each one's points come back as a
``withdraw`` entry for the reversal to take. A code already used (or expired)
stays as it is, and what is still missing is the reversal's shortfall.

A withdrawal is keyed by its redemption (``withdraw:<redeem entry id>``), so
a code is credited back once however many refunds find it; the store's code
is deactivated in the same transaction, and nothing is credited unless it was.
"""

from datetime import datetime

from django.db import transaction

from ..core.host import get_host
from .models import EntryKind, LedgerEntry, LoyaltyAccount
from .posting import insert, post


class _NotWithdrawn(Exception):
    """The store's code was used or has expired: roll back the credit."""


def withdraw_codes(
    account: LoyaltyAccount, earning: LedgerEntry, needed: int, at: datetime
) -> list[int]:
    """Withdraw unused codes paid since ``earning`` until ``needed`` points are
    back; return the ids of the ``withdraw`` entries written."""
    redemptions = LedgerEntry.objects.filter(
        channel=account.channel,
        customer_id=account.customer_id,
        kind=EntryKind.REDEEM,
        occurred_at__gte=earning.occurred_at,
    ).order_by("-occurred_at", "-id")
    written: list[int] = []
    back = 0
    for redemption in redemptions:
        if back >= needed:
            break
        credit = _withdraw(account, redemption, earning, at)
        if credit is not None:
            written.append(credit.pk)
            back += credit.points
    return written


def _withdraw(
    account: LoyaltyAccount, redemption: LedgerEntry, earning: LedgerEntry, at: datetime
) -> LedgerEntry | None:
    credit = LedgerEntry(
        channel=account.channel,
        customer_id=account.customer_id,
        kind=EntryKind.WITHDRAW,
        points=-redemption.points,
        idempotency_key=f"withdraw:{redemption.pk}",
        occurred_at=at,
        # The points come back as the refunded order's: what is left of them
        # after the reversal expires when that order's points would have.
        expires_at=earning.expires_at,
        amount=redemption.amount,
        order_id=earning.order_id,
    )
    try:
        with transaction.atomic():
            if not insert(credit):
                return None  # withdrawn already, for another refund
            # The redemption's key is its code's reference in the store.
            if not get_host().withdraw_coupon(
                account.channel, redemption.idempotency_key
            ):
                raise _NotWithdrawn
    except _NotWithdrawn:
        return None
    post(account, credit)
    return credit
