"""Events recorded and processed as the worker would, on a chosen day."""

from datetime import timedelta

from saleor_journey_plugin.core.events import JourneyEventData, Source, TouchChannel
from saleor_journey_plugin.core.processing import process_event
from saleor_journey_plugin.core.recording import record_event

from .conftest import T0


def seed(
    event_type,
    key,
    *,
    days,
    user_id="",
    email="",
    channel="web-usd",
    touch=TouchChannel.WEB,
    source=None,
    payload=None,
):
    """Record and process an event at ``T0 + days`` with its touch channel, source."""
    event_id = record_event(
        JourneyEventData(
            type=event_type,
            idempotency_key=key,
            occurred_at=T0 + timedelta(days=days),
            channel=channel,
            user_id=user_id,
            email=email,
            touch_channel=touch,
            source=source or Source(),
            payload=payload or {},
        )
    )
    assert process_event(event_id)
    return event_id
