"""A real SMTP server on loopback, campaign channels, and store checkouts."""

from datetime import datetime

import pytest

from example_store.models import StoreCheckout
from saleor_journey_plugin.core.events import EventType, JourneyEventData
from saleor_journey_plugin.core.processing import process_event
from saleor_journey_plugin.core.recording import record_event

from ..conftest import T0
from ..smtp_inbox import smtp_server, use_smtp
from .channels import CHANNEL, STORE_URL, campaign_channels

LINES = [
    {"name": "Linen shirt", "quantity": 2, "price": "45.00"},
    {"name": "Canvas tote", "quantity": 1, "price": "18.50"},
]


@pytest.fixture
def smtp():
    with smtp_server() as (inbox, port):
        yield inbox, port


@pytest.fixture
def inbox(smtp, settings):
    box, port = smtp
    use_smtp(settings, port)
    return box


@pytest.fixture
def channels(settings):
    """Campaigns on in web-usd; ``channels(**fields)`` changes its fields."""
    settings.EXAMPLE_STORE_URL = STORE_URL

    def configure(**fields):
        settings.JOURNEY_CHANNELS = campaign_channels(**fields)

    configure()
    return configure


def checkout(token: str, *, email: str = "jane.doe@example.com", at=T0, **fields):
    return StoreCheckout.objects.update_or_create(
        token=token,
        defaults={
            "channel": CHANNEL,
            "email": email,
            "lines": LINES,
            "currency": "USD",
            "updated_at": at,
            **fields,
        },
    )[0]


def event(
    event_type: EventType,
    key: str,
    *,
    at: datetime = T0,
    email: str = "",
    user_id: str = "",
    channel: str = CHANNEL,
    **payload,
) -> int:
    """Record and apply one event, as the drain does."""
    event_id = record_event(
        JourneyEventData(
            type=event_type,
            idempotency_key=key,
            occurred_at=at,
            channel=channel,
            email=email,
            user_id=user_id,
            payload=payload,
        )
    )
    assert event_id is not None
    process_event(event_id)
    return event_id
