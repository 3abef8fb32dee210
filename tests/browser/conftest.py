"""Chromium, a small store and its staff for the journey map page's tests.

The example store serves the page from pytest-django's live server (a free
loopback port, on the test database); Playwright drives Debian's Chromium.
"""

import secrets
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from saleor_journey_plugin.core.events import (
    EventType,
    JourneyEventData,
    Source,
    TouchChannel,
)
from saleor_journey_plugin.core.processing import drain
from saleor_journey_plugin.core.recording import record_event

from ..chromium import chromium

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="session")
def live_server() -> Iterator[Any]:
    """pytest-django's live server, on a free loopback port.

    Django's test server wraps the store in a static-files handler that reads
    STATIC_URL once, as it starts; the example store serves no static files
    and sets none, so one is lent for that moment.
    """
    from django.test.utils import override_settings
    from pytest_django.live_server_helper import LiveServer

    with override_settings(STATIC_URL="/static/"):
        server = LiveServer("127.0.0.1:0")
    yield server
    server.stop()


@pytest.fixture
def screenshots() -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS


def _password() -> str:
    return secrets.token_urlsafe(16)


def _user(email: str, *, staff: bool) -> dict[str, str]:
    from django.contrib.auth import get_user_model

    password = _password()
    user = get_user_model().objects.create_user(
        username=email, email=email, password=password, is_staff=staff
    )
    return {"email": user.email, "password": password}


@pytest.fixture
def staff(transactional_db) -> dict[str, str]:
    return _user("olivia.staff@example.com", staff=True)


@pytest.fixture
def customer_account(transactional_db) -> dict[str, str]:
    return _user("nick.customer@example.com", staff=False)


# ------------------------------------------------------------- the store --
USD = "web-usd"  # standard preset, English labels, UTC


def _at(days_ago: int, hour: int = 12) -> datetime:
    day = datetime.now(UTC).date() - timedelta(days=days_ago)
    return datetime.combine(day, time(hour), tzinfo=UTC)


def today() -> date:
    return datetime.now(UTC).date()


class Shop:
    """Records a customer's events in web-usd, days before today."""

    def __init__(self) -> None:
        self.order_number = 0

    def event(
        self,
        event_type: EventType,
        key: str,
        days_ago: int,
        who: dict[str, str],
        *,
        hour: int = 12,
        payload: dict[str, Any] | None = None,
        utm_source: str = "",
        touch: TouchChannel = TouchChannel.WEB,
    ) -> None:
        record_event(
            JourneyEventData(
                type=event_type,
                idempotency_key=key,
                occurred_at=_at(days_ago, hour),
                channel=USD,
                user_id=who.get("user_id", ""),
                email=who.get("email", ""),
                touch_channel=touch,
                source=Source(utm_source=utm_source),
                payload=payload or {},
            )
        )

    def visit(self, who, days_ago, source, hour=9) -> None:
        self.event(
            EventType.VISIT,
            f"visit:{who['email']}:{days_ago}:{hour}",
            days_ago,
            who,
            hour=hour,
            utm_source=source,
        )

    def view(self, who, days_ago, hour=10) -> None:
        self.event(
            EventType.PRODUCT_VIEWED,
            f"view:{who['email']}:{days_ago}:{hour}",
            days_ago,
            who,
            hour=hour,
        )

    def checkout(self, who, days_ago, token, *, abandon=False) -> None:
        self.event(
            EventType.CHECKOUT_STARTED,
            f"checkout:{token}:started",
            days_ago,
            who,
            hour=11,
            payload={"checkout": token},
        )
        if abandon:
            self.event(
                EventType.CHECKOUT_ABANDONED,
                f"checkout:{token}:abandoned",
                days_ago - 1 if days_ago > 0 else 0,
                who,
                hour=13,
                payload={"checkout": token},
                touch=TouchChannel.API,
            )

    def order(self, who, days_ago, total, *, checkout="", milestones=("paid",)):
        self.order_number += 1
        number = self.order_number
        payload = {"order_id": str(number), "total": total, "currency": "USD"}
        if checkout:
            payload["checkout"] = checkout
        self.event(
            EventType.ORDER_PLACED,
            f"order:{number}:placed",
            days_ago,
            who,
            hour=12,
            payload=payload,
        )
        events = {
            "paid": EventType.ORDER_PAID,
            "fulfilled": EventType.ORDER_FULFILLED,
            "cancelled": EventType.ORDER_CANCELLED,
        }
        for milestone in milestones:
            self.event(
                events[milestone],
                f"order:{number}:{milestone}",
                days_ago,
                who,
                hour=14 if milestone != "cancelled" else 16,
                payload=payload,
            )
        return number

    def review(self, who, days_ago, number, rating) -> None:
        self.event(
            EventType.REVIEW_SUBMITTED,
            f"review:order:{number}",
            days_ago,
            who,
            hour=18,
            payload={"rating": rating, "order_id": str(number)},
        )


def customer(name: str, user_id: str = "") -> dict[str, str]:
    who = {"email": f"{name}@example.com"}
    if user_id:
        who["user_id"] = user_id
    return who


def build_store() -> None:
    """Twelve customers over the last 80 days, through the event log."""
    shop = Shop()
    ann, bob, cat = customer("ann", "101"), customer("bob"), customer("cat")
    dan, eve, fay = customer("dan", "104"), customer("eve"), customer("fay")
    gus, hal, ivy = customer("gus"), customer("hal", "108"), customer("ivy")
    jon, kim, lee = customer("jon"), customer("kim", "111"), customer("lee")

    # Earlier customers: cohorts and returning buyers.
    first = shop.order(ivy, 70, "80.00", milestones=("paid", "fulfilled"))
    shop.review(ivy, 66, first, 5)
    shop.order(jon, 62, "45.50")
    shop.visit(kim, 50, "newsletter")
    shop.checkout(kim, 48, "c-kim", abandon=True)

    # The previous 30 days.
    shop.visit(gus, 40, "google")
    shop.view(gus, 40)
    shop.checkout(gus, 39, "c-gus")
    number = shop.order(gus, 39, "62.00", checkout="c-gus")
    shop.review(gus, 35, number, 4)
    shop.visit(hal, 33, "instagram")
    shop.checkout(hal, 33, "c-hal", abandon=True)

    # The last 30 days.
    shop.visit(fay, 20, "newsletter")
    shop.view(fay, 20)
    shop.visit(lee, 18, "google")
    shop.checkout(lee, 17, "c-lee")
    number = shop.order(
        lee, 17, "120.00", checkout="c-lee", milestones=("paid", "fulfilled")
    )
    shop.review(lee, 12, number, 2)
    shop.order(jon, 15, "30.25", milestones=("paid",))
    shop.visit(cat, 12, "instagram")
    shop.checkout(cat, 12, "c-cat", abandon=True)
    shop.order(ivy, 10, "99.99", milestones=("paid", "fulfilled"))

    # The last 7 days.
    shop.visit(ann, 5, "google")
    shop.view(ann, 5)
    shop.checkout(ann, 4, "c-ann")
    number = shop.order(ann, 4, "54.00", checkout="c-ann", milestones=("paid",))
    shop.review(ann, 2, number, 5)
    shop.visit(bob, 3, "instagram")
    shop.checkout(bob, 3, "c-bob", abandon=True)
    shop.order(dan, 2, "19.90", milestones=("paid", "cancelled"))
    shop.visit(eve, 1, "tiktok")
    shop.view(eve, 1)
    drain()


@pytest.fixture
def store(transactional_db) -> None:
    build_store()
