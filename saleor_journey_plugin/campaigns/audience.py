"""Who may receive campaign emails: unsubscribes and marketing opt-ins."""

from datetime import datetime

from django.db.models import Max

from ..core.events import EventType
from ..models import JourneyEvent
from .models import CampaignUnsubscribe


def _latest(customer_id: int, channel: str, event_type: EventType) -> datetime | None:
    return JourneyEvent.objects.filter(
        customer_id=customer_id, channel__in=[channel, ""], type=event_type.value
    ).aggregate(at=Max("occurred_at"))["at"]


def opted_in_at(customer_id: int, channel: str) -> datetime | None:
    return _latest(customer_id, channel, EventType.NEWSLETTER_OPT_IN)


def is_unsubscribed(customer_id: int, channel: str) -> bool:
    """Unsubscribed (from a campaign email or the storefront) and not opted in since."""
    times = [
        CampaignUnsubscribe.objects.filter(customer_id=customer_id, channel=channel)
        .values_list("at", flat=True)
        .first(),
        _latest(customer_id, channel, EventType.UNSUBSCRIBED),
    ]
    left = max((t for t in times if t is not None), default=None)
    if left is None:
        return False
    opted_in = opted_in_at(customer_id, channel)
    return opted_in is None or opted_in <= left


def is_subscriber(customer_id: int, channel: str) -> bool:
    return opted_in_at(customer_id, channel) is not None and not is_unsubscribed(
        customer_id, channel
    )
