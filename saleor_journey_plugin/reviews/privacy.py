"""Erasing a customer blanks what their reviews say about them."""

from django.db.models import Q
from django.utils import timezone

from .models import Review


def forget_reviews(customer_ids: list[int], user_id: str, email: str) -> None:
    """Blank the personal fields of the erased customers' reviews.

    Reviews not linked yet (their event still waits for the drain) are found
    by email. Rating, product, order and dates stay: the store's figures.
    """
    match = Q(customer_id__in=customer_ids)
    if email:
        match |= Q(email=email)
    Review.objects.filter(match).update(
        customer=None, email="", title="", body="", updated_at=timezone.now()
    )
