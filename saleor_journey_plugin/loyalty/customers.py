"""The ledger's side of a guest merged into an account, of an erasure and of
an export."""

from typing import Any

from django.db import connection, transaction
from django.db.models import F, Q

from ..core.export import amount, when
from ..core.host import get_host
from ..models import Customer
from .ledger import locked_account, refresh_tier
from .models import EntryKind, LedgerEntry, LoyaltyAccount

_ENTRIES = LedgerEntry._meta.db_table

# A review reward's key names its customer: the merged guest's become the
# account's, unless the account already has one for that product (both stay).
_REKEY_REVIEWS = f"""
UPDATE {_ENTRIES} AS e
SET idempotency_key = %(new)s || substr(e.idempotency_key, length(%(old)s) + 1)
WHERE e.customer_id = %(guest)s AND e.channel = %(channel)s AND e.kind = %(kind)s
  AND substr(e.idempotency_key, 1, length(%(old)s)) = %(old)s
  AND NOT EXISTS (
    SELECT 1 FROM {_ENTRIES} AS f
    WHERE f.idempotency_key = %(new)s || substr(e.idempotency_key, length(%(old)s) + 1)
  )
"""


def move_to_account(guest: int, customer: int) -> None:
    """The guest's entries and balances become the account's, per channel."""
    channels = sorted(
        set(
            LedgerEntry.objects.filter(customer_id=guest).values_list(
                "channel", flat=True
            )
        )
    )
    for channel in channels:
        with transaction.atomic():
            # Both rows locked, in customer order like every other two-row lock.
            first, second = sorted((guest, customer))
            accounts = {c: locked_account(channel, c) for c in (first, second)}
            with connection.cursor() as cursor:
                cursor.execute(
                    _REKEY_REVIEWS,
                    {
                        "new": f"earn_review:{channel}:{customer}:",
                        "old": f"earn_review:{channel}:{guest}:",
                        "guest": guest,
                        "channel": channel,
                        "kind": EntryKind.EARN_REVIEW.value,
                    },
                )
            LedgerEntry.objects.filter(customer_id=guest, channel=channel).update(
                customer_id=customer
            )
            moved = accounts[guest].balance
            LoyaltyAccount.objects.filter(pk=accounts[customer].pk).update(
                balance=F("balance") + moved
            )
            accounts[customer].balance += moved
            accounts[guest].delete()
            found = get_host().channel_settings(channel)
            if found is not None and found.loyalty is not None:
                refresh_tier(accounts[customer], found.loyalty)


def forget(customers: list[int], user_id: str, email: str) -> None:
    """Unlink the entries from the erased people; their amounts stay.

    A staff adjustment's reason is free text that may name the person, so it
    goes too; the accounts (balances of people who are gone) are deleted.
    Adjustments made by a staff member with this user id or email forget who
    made them.
    """
    LedgerEntry.objects.filter(customer_id__in=customers).update(
        customer=None, reason=""
    )
    LoyaltyAccount.objects.filter(customer_id__in=customers).delete()
    # A staff member's own account going: the adjustments they made stay,
    # without their name.
    made = Q(pk__in=[])
    if user_id:
        made |= Q(staff_user_id=user_id)
    if email:
        made |= Q(staff_email=email)
    LedgerEntry.objects.filter(made, kind=EntryKind.ADJUST).update(
        staff_user_id="", staff_email=""
    )


def export(customer: Customer, channel: str) -> dict[str, Any]:
    """The balance, tier and every entry of the customer in the channel.

    Not the ledger's bookkeeping (idempotency keys, shortfalls), nor who on
    the staff made an adjustment (that is the staff member's data).
    """
    found = LoyaltyAccount.objects.filter(channel=channel, customer=customer).first()
    entries = LedgerEntry.objects.filter(channel=channel, customer=customer)
    return {
        "balance": found.balance if found else 0,
        "tier": found.tier if found and found.tier else None,
        "entries": [
            {
                "kind": e.kind,
                "points": e.points,
                "occurred_at": when(e.occurred_at),
                "expires_at": when(e.expires_at),
                "unspent": e.remaining,
                "amount": amount(e.amount),
                "order_id": e.order_id,
                "review_id": e.review_id,
                "product": e.product,
                "reason": e.reason,
            }
            for e in entries.order_by("-occurred_at", "-pk")
        ],
    }
