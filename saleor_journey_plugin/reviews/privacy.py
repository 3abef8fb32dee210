"""Erasing a customer blanks what their reviews say about them; an export
lists them."""

from typing import Any

from django.db.models import Q
from django.utils import timezone

from ..core.export import when
from ..models import Customer
from .models import Review


def forget_reviews(customer_ids: list[int], user_id: str, email: str) -> None:
    """Blank the personal fields of the erased customers' reviews.

    Reviews not linked yet (their event still waits for the drain) are found
    by email; a review linked to another customer with that address (a guest
    when an account goes, or the reverse) is theirs and stays. Rating,
    product, order and dates stay: the store's figures.
    """
    match = Q(customer_id__in=customer_ids)
    if email:
        match |= Q(customer__isnull=True, email=email)
    Review.objects.filter(match).update(
        customer=None, email="", title="", body="", updated_at=timezone.now()
    )


def export_reviews(customer: Customer, channel: str) -> list[dict[str, Any]]:
    """The customer's reviews in the channel, newest received first."""
    return [
        {
            "review_id": r.review_id,
            "rating": r.rating,
            "title": r.title,
            "body": r.body,
            "email": r.email,
            "product": r.product,
            "order": r.order,
            "photos": r.photos,
            "verified": r.verified,
            "created_at": when(r.created_at),
            "received_at": when(r.received_at),
            "version": r.version,
        }
        for r in Review.objects.filter(channel=channel, customer=customer).order_by(
            "-received_at", "-pk"
        )
    ]
