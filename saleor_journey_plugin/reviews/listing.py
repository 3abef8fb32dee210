"""Listings of a channel's reviews (all of them for staff, a customer's own for
the customer), newest received first, a page at a time."""

from django.db.models import Q

from .models import Review


def page(
    channel: str,
    first: int,
    after: int | None = None,
    *,
    rating: int | None = None,
    verified: bool | None = None,
    customer: int | None = None,
) -> tuple[list[Review], bool] | None:
    """Up to ``first`` reviews after the review ``after``, and whether more follow.

    None when ``after`` is not a review of this channel (and of ``customer``,
    when given): a cursor never pages through another channel's reviews, nor
    a customer through anyone else's.
    """
    reviews = Review.objects.filter(channel=channel)
    if customer is not None:
        reviews = reviews.filter(customer_id=customer)
    if after is not None:
        mark = reviews.filter(pk=after).values_list("received_at", flat=True).first()
        if mark is None:
            return None
        reviews = reviews.filter(
            Q(received_at__lt=mark) | Q(received_at=mark, pk__lt=after)
        )
    if rating is not None:
        reviews = reviews.filter(rating=rating)
    if verified is not None:
        reviews = reviews.filter(verified=verified)
    found = list(reviews.order_by("-received_at", "-pk")[: first + 1])
    return found[:first], len(found) > first
