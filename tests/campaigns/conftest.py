"""A real SMTP server on loopback, campaign channels, and store checkouts."""

import email
import email.policy
import socket
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from example_store.models import StoreCheckout
from saleor_journey_plugin.core.events import EventType, JourneyEventData
from saleor_journey_plugin.core.processing import process_event
from saleor_journey_plugin.core.recording import record_event

from ..conftest import T0
from .channels import CHANNEL, STORE_URL, campaign_channels

LINES = [
    {"name": "Linen shirt", "quantity": 2, "price": "45.00"},
    {"name": "Canvas tote", "quantity": 1, "price": "18.50"},
]


@dataclass
class Inbox:
    """What the SMTP server received; ``refuse`` makes it answer 5xx N times."""

    messages: list[EmailMessage] = field(default_factory=list)
    refuse: int = 0
    refusals: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.refuse:
                self.refuse -= 1
                self.refusals += 1
                return "554 Transaction failed: try later"
            self.messages.append(
                email.message_from_bytes(envelope.content, policy=email.policy.default)
            )
        return "250 OK"

    def wait_for(self, count: int, seconds: float = 30) -> list[EmailMessage]:
        deadline = datetime.now() + timedelta(seconds=seconds)
        while datetime.now() < deadline and len(self.messages) < count:
            threading.Event().wait(0.05)
        return self.messages


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


@pytest.fixture
def inbox(smtp, settings):
    box, port = smtp
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_TIMEOUT = 5
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
