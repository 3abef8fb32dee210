"""Finding customers who stopped buying: the scheduled move to LAPSED."""

from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from ..models import Journey
from .events import EventType, JourneyEventData, TouchChannel
from .host import get_host
from .recording import record_event
from .stages import CAN_LAPSE


def record_lapses(now: datetime | None = None) -> list[int]:
    """Log a LAPSE_DETECTED event for every journey past its channel's limit.

    The event's key names the journey and the clock it lapsed on, so a second
    run (or a second beat) records nothing new.
    """
    now = now or timezone.now()
    host = get_host()
    recorded = []
    channels = Journey.objects.values_list("channel", flat=True).distinct()
    for channel in list(channels):
        settings = host.channel_settings(channel)
        if settings is None:
            continue
        cutoff = now - timedelta(days=settings.lapse_after_days)
        for journey in _due(channel, cutoff).iterator(chunk_size=500):
            clock = journey.lapse_clock_from
            assert clock is not None
            event_id = record_event(
                JourneyEventData(
                    type=EventType.LAPSE_DETECTED,
                    idempotency_key=f"lapse:{journey.pk}:{clock.isoformat()}",
                    occurred_at=now,
                    channel=channel,
                    touch_channel=TouchChannel.API,
                    payload={"lapse_anchor": clock.isoformat()},
                ),
                customer_id=journey.customer_id,
            )
            if event_id is not None:
                recorded.append(event_id)
    return recorded


def _due(channel: str, cutoff: datetime) -> QuerySet[Journey]:
    return Journey.objects.filter(
        channel=channel,
        stage__in=[stage.value for stage in CAN_LAPSE],
        lapse_clock_from__lt=cutoff,
    ).only("pk", "customer_id", "lapse_clock_from")
