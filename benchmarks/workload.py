"""A realistic stream of journey events, shaped like the Saleor adapter's.

Customers (70% with an account, 30% guests, 80% in the USD channel) run
checkout sessions: started -> details -> delivery -> order placed -> paid ->
fulfilled, with drop-offs (abandoned checkouts), a few cancellations and
reviews, and an ACCOUNT_CREATED (customer-wide) before some first sessions.
Events are ordered by time across customers, as a store would emit them.

Why not the example store's simulation (``example_store/simulation/``): that
one is a store with feedback. It hands every event to ``service.record_and_wake`` as it
goes (eager Celery, about 180 events/s with their processing), reads the
plugin's outcome back (the weekly lapse check decides who gets a win-back
email and visits again) and writes the store's own rows (confirming an
account links guest orders), so it needs a migrated database and cannot run
ahead of the plugin. The benchmarks need the opposite: a stream built in
memory before anything is timed (ten million events for the reports' store),
exactly ``count`` events over a fixed number of customers, under a key
``prefix`` so that several runs share one database, and the same stream as in
the figures already published, so that a change to the drain is compared on
the same events. Both build ``JourneyEventData`` as the Saleor adapter does.
"""

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from saleor_journey_plugin.core.events import (
    EventType,
    JourneyEventData,
    Source,
    TouchChannel,
)

START = datetime(2025, 1, 1, tzinfo=UTC)
CHANNELS = (("web-usd", "USD", 0.8), ("web-krw", "KRW", 0.2))
SOURCES = (
    Source(),
    Source(utm_source="google", utm_medium="cpc", utm_campaign="spring-sale"),
    Source(utm_source="newsletter", utm_medium="email", utm_campaign="weekly"),
    Source(referrer="https://www.instagram.com/", search_term=""),
)


def order_event(
    event_type: EventType,
    key: str,
    when: datetime,
    identity: dict[str, str],
    channel: str,
    currency: str,
    total: str,
) -> JourneyEventData:
    """An order milestone exactly as the adapter builds it (total, currency)."""
    return JourneyEventData(
        type=event_type,
        idempotency_key=key,
        occurred_at=when,
        channel=channel,
        payload={"order_id": key.split(":")[1], "total": total, "currency": currency},
        user_id=identity["user_id"],
        email=identity["email"],
    )


def generate(
    count: int, customers: int, prefix: str, seed: int = 7
) -> list[JourneyEventData]:
    """``count`` events over ``customers`` customers; ``prefix`` keeps runs apart."""
    rng = random.Random(seed)
    events: list[JourneyEventData] = []
    registered_before: set[int] = set()
    session = 0
    while len(events) < count * 1.2:
        session += 1
        number = rng.randrange(customers)
        events += _session(rng, prefix, number, session, registered_before)
    events.sort(key=lambda event: event.occurred_at)
    return events[:count]


def _session(
    rng: random.Random, prefix: str, number: int, session: int, registered: set[int]
) -> list[JourneyEventData]:
    has_account = number % 10 < 7
    identity = {
        "user_id": f"{prefix}{number}" if has_account else "",
        "email": f"Customer.{prefix}{number}@Example.com",
    }
    channel, currency, _ = CHANNELS[0] if number % 5 else CHANNELS[1]
    when = START + timedelta(seconds=rng.randrange(30 * 86400))
    source = rng.choice(SOURCES)
    touch = TouchChannel.APP if rng.random() < 0.2 else TouchChannel.WEB
    events: list[JourneyEventData] = []

    def add(
        event_type: EventType,
        key: str,
        payload: dict[str, Any] | None = None,
        customer_wide: bool = False,
    ) -> None:
        nonlocal when
        when += timedelta(seconds=rng.randrange(20, 900))
        events.append(
            JourneyEventData(
                type=event_type,
                idempotency_key=key,
                occurred_at=when,
                channel="" if customer_wide else channel,
                user_id=identity["user_id"],
                email=identity["email"],
                touch_channel=touch,
                source=source,
                payload=payload or {},
            )
        )

    if has_account and number not in registered:
        registered.add(number)
        if rng.random() < 0.3:
            add(
                EventType.ACCOUNT_CREATED,
                f"user:{prefix}{number}:created",
                customer_wide=True,
            )
    checkout = f"{prefix}-{session}"
    payload = {"checkout": checkout}
    add(EventType.CHECKOUT_STARTED, f"checkout:{checkout}:started", payload=payload)
    for event_type, milestone, keep in (
        (EventType.CHECKOUT_DETAILS_ADDED, "details", 0.75),
        (EventType.DELIVERY_METHOD_CHOSEN, "delivery", 0.85),
    ):
        if rng.random() > keep:
            add(EventType.CHECKOUT_ABANDONED, f"checkout:{checkout}:abandoned")
            return events
        add(event_type, f"checkout:{checkout}:{milestone}", payload=payload)
    if rng.random() > 0.8:
        add(EventType.CHECKOUT_ABANDONED, f"checkout:{checkout}:abandoned")
        return events
    amount = rng.randrange(1500, 40000)
    total = f"{amount / 100:.2f}" if currency == "USD" else str(amount * 13)
    order = f"{prefix}{session}"
    for event_type, milestone, keep in (
        (EventType.ORDER_PLACED, "placed", 1.0),
        (EventType.ORDER_PAID, "paid", 0.95),
        (EventType.ORDER_FULFILLED, "fulfilled", 0.9),
    ):
        if rng.random() > keep:
            add(EventType.ORDER_CANCELLED, f"order:{order}:cancelled")
            return events
        when += timedelta(seconds=rng.randrange(60, 86400))
        events.append(
            order_event(
                event_type,
                f"order:{order}:{milestone}",
                when,
                identity,
                channel,
                currency,
                total,
            )
        )
    if rng.random() < 0.15:
        rating = rng.choice((1, 3, 4, 5, 5))
        add(EventType.REVIEW_SUBMITTED, f"review:{order}", payload={"rating": rating})
    return events


def mix(events: list[JourneyEventData]) -> str:
    counts: dict[str, int] = {}
    for event in events:
        counts[event.type.value] = counts.get(event.type.value, 0) + 1
    return ", ".join(
        f"{name} {n}" for name, n in sorted(counts.items(), key=lambda i: -i[1])
    )
