"""A customer's ledger entries, newest first, a page at a time."""

from django.db.models import Q

from .models import LedgerEntry


def page(
    channel: str, customer: int, first: int, after: int | None = None
) -> tuple[list[LedgerEntry], bool] | None:
    """Up to ``first`` entries after the entry ``after``, and whether more follow.

    None when ``after`` is not one of this customer's entries in the channel:
    a cursor never reveals, or pages past, anyone else's.
    """
    entries = LedgerEntry.objects.filter(channel=channel, customer_id=customer)
    if after is not None:
        mark = entries.filter(pk=after).values_list("occurred_at", flat=True).first()
        if mark is None:
            return None
        entries = entries.filter(
            Q(occurred_at__lt=mark) | Q(occurred_at=mark, pk__lt=after)
        )
    found = list(entries.order_by("-occurred_at", "-pk")[: first + 1])
    return found[:first], len(found) > first
