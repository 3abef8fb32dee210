"""A small hand-built store for the report tests, recorded through the event log.

Times are local to the channel's time zone and every event is processed by the
drain, oldest first, as the Celery task would.
"""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from saleor_journey_plugin.core.events import (
    EventType,
    JourneyEventData,
    Source,
    TouchChannel,
)
from saleor_journey_plugin.core.lapse import record_lapses
from saleor_journey_plugin.core.processing import drain
from saleor_journey_plugin.core.recording import record_event

NEW_YORK = ZoneInfo("America/New_York")
SEOUL = ZoneInfo("Asia/Seoul")
USD = "web-usd"
KRW = "web-krw"

ANN = {"user_id": "1", "email": "ann@example.com"}
BOB = {"user_id": "2", "email": "bob@example.com"}
CAT = {"email": "cat@example.com"}
DAN = {"email": "dan@example.com"}
EVE = {"user_id": "5", "email": "eve@example.com"}
FAY = {"email": "fay@example.com"}
GUS = {"email": "gus@example.com"}
HAL = {"email": "hal@example.com"}


def ny(*args: int) -> datetime:
    return datetime(*args, tzinfo=NEW_YORK)  # type: ignore[misc]


def seoul(*args: int) -> datetime:
    return datetime(*args, tzinfo=SEOUL)  # type: ignore[misc]


def record(
    event_type: EventType,
    key: str,
    at: datetime,
    who: dict[str, str],
    *,
    channel: str = USD,
    payload: dict[str, Any] | None = None,
    touch: TouchChannel = TouchChannel.WEB,
    utm_source: str = "",
    utm_campaign: str = "",
) -> None:
    record_event(
        JourneyEventData(
            type=event_type,
            idempotency_key=key,
            occurred_at=at,
            channel=channel,
            user_id=who.get("user_id", ""),
            email=who.get("email", ""),
            touch_channel=touch,
            source=Source(utm_source=utm_source, utm_campaign=utm_campaign),
            payload=payload or {},
        )
    )


def order(
    event_type: EventType,
    number: int,
    at: datetime,
    who: dict[str, str],
    total: str,
    *,
    checkout: str = "",
    currency: str = "USD",
    channel: str = USD,
    touch: TouchChannel = TouchChannel.WEB,
) -> None:
    """An order milestone with the payload the Saleor adapter sends."""
    milestone = event_type.value.removeprefix("ORDER_").lower()
    payload = {"order_id": str(number), "total": total, "currency": currency}
    if checkout:
        payload["checkout"] = checkout
    record(
        event_type,
        f"order:{number}:{milestone}",
        at,
        who,
        channel=channel,
        payload=payload,
        touch=touch,
    )


def checkout(
    event_type: EventType,
    token: str,
    at: datetime,
    who: dict[str, str],
    *,
    channel: str = USD,
    touch: TouchChannel = TouchChannel.WEB,
    utm_source: str = "",
) -> None:
    milestone = {
        EventType.CHECKOUT_STARTED: "started",
        EventType.CHECKOUT_DETAILS_ADDED: "details",
        EventType.CHECKOUT_ABANDONED: "abandoned",
    }[event_type]
    record(
        event_type,
        f"checkout:{token}:{milestone}",
        at,
        who,
        channel=channel,
        payload={"checkout": token},
        touch=touch,
        utm_source=utm_source,
    )


def review(number: int, at: datetime, who: dict[str, str], rating: int) -> None:
    record(
        EventType.REVIEW_SUBMITTED,
        f"review:order:{number}",
        at,
        who,
        payload={"rating": rating, "order_id": str(number)},
    )


def build_usd_store() -> None:
    """The web-usd story (America/New_York; February 2026 is all EST, UTC-5).

    - Ann: ordered in January (#1, 30.00); in February visits from the
      newsletter, orders again (#2, "20.000") and becomes loyal, reviews 5,
      and #1 is refunded.
    - Bob: creates an account on Feb 2, visits from Google, views a product,
      checks out and orders (#3, 50.00), which is fulfilled, then refunded;
      reviews 2.
    - Cat: starts a checkout on Feb 10 and abandons it.
    - Dan: orders at once (#4, 15.00), pays, then it is cancelled and refunded.
    - Eve: ordered in November (#5, 25.00), lapses on Feb 9, is won back by
      #6 (40.00) on Feb 25 and reviews 4.
    - Hal: ordered in November (#9, 35.00) and lapses on Feb 9.
    - Fay: orders by phone at 23:30 on Feb 28 (#7, 10.00): in February.
    - Gus: orders at 00:30 on Mar 1 (#8, 99.00): not in February.
    """
    E = EventType
    order(E.ORDER_PLACED, 5, ny(2025, 11, 10, 10, 0), EVE, "25.00")
    order(E.ORDER_PAID, 5, ny(2025, 11, 10, 10, 5), EVE, "25.00")
    order(E.ORDER_PLACED, 9, ny(2025, 11, 11, 10, 0), HAL, "35.00")
    order(E.ORDER_PAID, 9, ny(2025, 11, 11, 10, 5), HAL, "35.00")
    order(E.ORDER_PLACED, 1, ny(2026, 1, 10, 10, 0), ANN, "30.00")
    order(E.ORDER_PAID, 1, ny(2026, 1, 10, 10, 5), ANN, "30.00")

    record(E.ACCOUNT_CREATED, "user:2:created", ny(2026, 2, 2, 8, 0), BOB, channel="")
    record(
        E.VISIT,
        "visit:bob:1",
        ny(2026, 2, 2, 9, 0),
        BOB,
        utm_source="google",
        utm_campaign="spring",
    )
    record(
        E.PRODUCT_VIEWED,
        "view:bob:1",
        ny(2026, 2, 2, 9, 30),
        BOB,
        utm_source="google",
    )
    checkout(E.CHECKOUT_STARTED, "c-bob", ny(2026, 2, 3, 10, 0), BOB)
    checkout(E.CHECKOUT_DETAILS_ADDED, "c-bob", ny(2026, 2, 3, 10, 10), BOB)
    order(E.ORDER_PLACED, 3, ny(2026, 2, 3, 10, 20), BOB, "50.00", checkout="c-bob")
    order(E.ORDER_PAID, 3, ny(2026, 2, 3, 10, 21), BOB, "50.00", checkout="c-bob")

    record(
        E.VISIT,
        "visit:ann:1",
        ny(2026, 2, 5, 11, 0),
        ANN,
        utm_source="newsletter",
        utm_campaign="feb-promo",
    )
    checkout(E.CHECKOUT_STARTED, "c-ann", ny(2026, 2, 5, 11, 10), ANN)
    order(E.ORDER_PLACED, 2, ny(2026, 2, 5, 11, 20), ANN, "20.000", checkout="c-ann")
    order(E.ORDER_PAID, 2, ny(2026, 2, 5, 11, 25), ANN, "20.000", checkout="c-ann")
    order(E.ORDER_FULFILLED, 3, ny(2026, 2, 6, 10, 20), BOB, "50.00")
    drain()

    # The hourly lapse check, on Feb 9 at noon: Eve and Hal are 90 days past
    # their last paid order.
    record_lapses(now=ny(2026, 2, 9, 12, 0))
    drain()

    review(2, ny(2026, 2, 10, 12, 0), ANN, 5)
    checkout(
        E.CHECKOUT_STARTED, "c-cat", ny(2026, 2, 10, 15, 0), CAT, utm_source="instagram"
    )
    checkout(
        E.CHECKOUT_ABANDONED,
        "c-cat",
        ny(2026, 2, 11, 15, 0),
        CAT,
        touch=TouchChannel.API,
    )
    checkout(
        E.CHECKOUT_STARTED, "c-dan", ny(2026, 2, 12, 14, 0), DAN, utm_source="google"
    )
    order(E.ORDER_PLACED, 4, ny(2026, 2, 12, 14, 5), DAN, "15.00", checkout="c-dan")
    order(E.ORDER_PAID, 4, ny(2026, 2, 12, 14, 6), DAN, "15.00", checkout="c-dan")
    order(E.ORDER_CANCELLED, 4, ny(2026, 2, 13, 9, 0), DAN, "15.00")
    order(E.ORDER_REFUNDED, 4, ny(2026, 2, 13, 9, 30), DAN, "15.00")
    order(E.ORDER_REFUNDED, 1, ny(2026, 2, 15, 12, 0), ANN, "30.00")
    order(E.ORDER_REFUNDED, 3, ny(2026, 2, 20, 10, 0), BOB, "50.00")
    review(3, ny(2026, 2, 21, 10, 0), BOB, 2)
    order(E.ORDER_PLACED, 6, ny(2026, 2, 25, 10, 0), EVE, "40.00")
    order(E.ORDER_PAID, 6, ny(2026, 2, 25, 10, 5), EVE, "40.00")
    review(6, ny(2026, 2, 26, 10, 0), EVE, 4)
    order(
        E.ORDER_PLACED,
        7,
        ny(2026, 2, 28, 23, 30),
        FAY,
        "10.00",
        touch=TouchChannel.OFFLINE,
    )
    order(E.ORDER_PLACED, 8, ny(2026, 3, 1, 0, 30), GUS, "99.00")
    drain()
