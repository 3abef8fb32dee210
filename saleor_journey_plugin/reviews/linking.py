"""Each review belongs to the customer its journey event was applied to.

The drain decides who a review's email is (an account, or a guest); this
follower copies that decision onto the review whenever the event is applied or
re-applied, so a review follows its customer through merges and rebuilds.
"""

from collections.abc import Sequence

from ..core.events import REVIEWS
from ..models import JourneyEvent
from .models import Review

_REVIEW_TYPES = [event_type.value for event_type in REVIEWS]


class ReviewCustomers:
    def fold(self, event_ids: Sequence[int], sign: int) -> None:
        if sign < 0:
            # Unfolded for a rewrite: the fold that follows it sets the link.
            return
        events = (
            JourneyEvent.objects.filter(pk__in=list(event_ids), type__in=_REVIEW_TYPES)
            .order_by("occurred_at", "id")
            .values_list("channel", "payload__review_id", "customer_id")
        )
        for channel, review_id, customer_id in events:
            if isinstance(review_id, str) and review_id:
                Review.objects.filter(channel=channel, review_id=review_id).exclude(
                    customer_id=customer_id
                ).update(customer_id=customer_id)


REVIEW_CUSTOMERS = ReviewCustomers()


def connect() -> None:
    """Reviews follow their customer through merges, forget an erased one,
    and are part of a customer's export."""
    from ..core import erasure, export, followers
    from .privacy import export_reviews, forget_reviews

    followers.follow(REVIEW_CUSTOMERS)
    erasure.on_erase(forget_reviews)
    export.on_export("reviews", export_reviews)
