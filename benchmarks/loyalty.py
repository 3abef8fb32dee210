"""Loyalty on a big ledger: myLoyalty, review webhooks, ledger awards.

The ledger is written by PostgreSQL itself (generate_series): earnings of
paid orders (and a tenth of reviews) over two years, about ten entries per
customer and one customer with a large history, each credit's unspent
points in ``remaining`` until it expires a year after it was earned, and
each customer's balance row. Then:

- ``myLoyalty`` (balance, tier, points to the next tier, expiring soon, the
  first page of the history) through the plugin's GraphQL view, called with
  Django's test client (in this process: URL routing, the view, parsing,
  validation, execution; no socket);
- signed review deliveries (Standard Webhooks) POSTed to the review webhook
  view with the test client, each a new review: signature check, parsing,
  the verified-purchase lookup, the review stored and its journey event
  tracked, one transaction each;
- ORDER_PAID events of known customers drained by ``drain()`` with loyalty
  on: one ledger entry each (and the same with loyalty off, to compare);
- the drain with every capability on (loyalty, the three campaign kinds
  scheduling, the reports' rollups) on a store built like the reports'
  (``reports.build_store``, BENCH_LOYALTY_STORE_EVENTS events): the
  throughput workload's events, with its reviews verified and a twentieth
  of its paid orders refunded (half of them in part).
"""

import json
import random
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from example_store.host import issue_token
from saleor_journey_plugin.core.events import EventType, JourneyEventData
from saleor_journey_plugin.core.processing import drain
from saleor_journey_plugin.core.recording import record_event
from saleor_journey_plugin.loyalty.models import LedgerEntry, LoyaltyAccount
from saleor_journey_plugin.models import Customer
from saleor_journey_plugin.reviews.signature import sign, verify

from . import database, reports, workload
from .plans import explain
from .stats import Table, percentile
from .timing import spent

CHANNEL = "web-usd"
SECRET = "whsec_YmVuY2gtcmV2aWV3LXNlY3JldC0wMTIzNDU2Nzg5"
WEBHOOK = f"/plugins/channel/{CHANNEL}/saleor.journey/webhooks/reviews/"
GRAPHQL = f"/graphql/{CHANNEL}/"
PER_CUSTOMER = 10
DAYS = 730
MY_LOYALTY = """
{
  myLoyalty {
    balance tier pointsToNextTier expiringSoon
    history(first: 20) {
      edges { cursor node { kind points occurredAt expiresAt orderId } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""

_CUSTOMERS = Customer._meta.db_table
_ENTRIES = LedgerEntry._meta.db_table
_ACCOUNTS = LoyaltyAccount._meta.db_table

# Entry g of the typical customers belongs to customer 1 + g % customers; the
# large history (customer 0 here, user id "l0") takes the last ``large``.
_LEDGER_SQL = f"""
INSERT INTO {_ENTRIES} (channel, customer_id, kind, points, idempotency_key,
    occurred_at, expires_at, remaining, amount, order_id, review_id, product,
    reason, staff_user_id, staff_email, shortfall)
SELECT %(channel)s, %(first)s + who, kind, points,
    kind || ':' || %(channel)s || ':b' || g, at, at + interval '365 days',
    CASE WHEN at + interval '365 days' > %(now)s THEN points ELSE 0 END,
    CASE WHEN kind = 'earn_order' THEN points END,
    CASE WHEN kind = 'earn_order' THEN 'b' || g ELSE '' END,
    CASE WHEN kind = 'earn_review' THEN 'r' || g ELSE '' END,
    CASE WHEN kind = 'earn_review' THEN 'p' || (g %% 500) ELSE '' END,
    '', '', '', 0
FROM (
    SELECT g,
        CASE WHEN g > %(typical)s THEN 0 ELSE 1 + g %% %(customers)s END AS who,
        CASE WHEN g %% 10 = 0 THEN 'earn_review' ELSE 'earn_order' END AS kind,
        CASE WHEN g %% 10 = 0 THEN 50 ELSE 10 + (g::bigint * 7919) %% 290 END AS points,
        %(now)s::timestamptz
            - ((g::bigint * 48271) %% (%(days)s * 86400)) * interval '1 second' AS at
    FROM generate_series(1, %(entries)s) AS g
) AS e
"""
_ACCOUNTS_SQL = f"""
INSERT INTO {_ACCOUNTS} (channel, customer_id, balance, tier)
SELECT channel, customer_id, sum(remaining), '' FROM {_ENTRIES}
GROUP BY channel, customer_id
"""


def build_ledger(entries: int, large: int) -> tuple[int, float]:
    """The ledger and its customers; how many customers, and the seconds."""
    started = time.perf_counter()
    typical = entries - large
    customers = max(typical // PER_CUSTOMER, 1)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_CUSTOMERS} (user_id, visitor_id, email, created_at) "
            "SELECT 'l' || g, NULL, 'l' || g || '@example.com', now() "
            "FROM generate_series(0, %s) AS g",
            [customers],
        )
        cursor.execute(f"SELECT min(id) FROM {_CUSTOMERS}")
        row = cursor.fetchone()
        assert row is not None
        cursor.execute(
            _LEDGER_SQL,
            {
                "channel": CHANNEL,
                "first": row[0],
                "typical": typical,
                "customers": customers,
                "entries": entries,
                "now": timezone.now(),
                "days": DAYS,
            },
        )
        cursor.execute(_ACCOUNTS_SQL)
        cursor.execute(f"VACUUM ANALYZE {_CUSTOMERS}, {_ENTRIES}, {_ACCOUNTS}")
    return customers + 1, time.perf_counter() - started


def _channels(loyalty: bool) -> dict[str, Any]:
    channels = dict(settings.JOURNEY_CHANNELS)
    channels[CHANNEL] = {
        **channels[CHANNEL],
        "review_webhook_secrets": SECRET,
        "loyalty": {"loyalty_enabled": "true" if loyalty else "false"},
    }
    return channels


@contextmanager
def _loyalty(on: bool = True) -> Iterator[None]:
    with override_settings(JOURNEY_CHANNELS=_channels(on)):
        yield


# Every campaign kind on, steps at their defaults.
CAMPAIGNS = {
    "abandoned_checkout_enabled": "true",
    "win_back_enabled": "true",
    "review_request_enabled": "true",
    "checkout_url_template": "https://shop.example.com/checkout?token={token}",
    "review_url_template": "https://shop.example.com/orders/{order}/review",
    "sender_email": "Example Store <shop@example.com>",
}


@contextmanager
def _everything_on() -> Iterator[None]:
    """Loyalty and every campaign kind on in every channel of the store."""
    channels = {
        name: {
            **values,
            "loyalty": {"loyalty_enabled": "true"},
            "campaigns": CAMPAIGNS,
        }
        for name, values in settings.JOURNEY_CHANNELS.items()
    }
    with override_settings(
        JOURNEY_CHANNELS=channels,
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
    ):
        yield


def _my_loyalty(client: Client, token: str) -> dict[str, Any]:
    response = client.post(
        GRAPHQL,
        data=json.dumps({"query": MY_LOYALTY}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    answer = response.json()
    if response.status_code != 200 or "errors" in answer:
        raise RuntimeError(f"myLoyalty failed: {response.status_code} {answer}")
    return dict(answer["data"]["myLoyalty"])


def my_loyalty(table: Table, runs: int, large: int) -> list[str]:
    """Time myLoyalty for a typical and the large history; the large one's plans."""
    client = Client()
    for name, user_id in ((f"~{PER_CUSTOMER} entries", "l1"), (f"{large:,}", "l0")):
        token = issue_token(user_id=user_id)
        with _loyalty():
            for _ in range(20):
                shown = _my_loyalty(client, token)
            samples = []
            for _ in range(runs):
                start = time.perf_counter_ns()
                _my_loyalty(client, token)
                samples.append(time.perf_counter_ns() - start)
        ms = [s / 1e6 for s in samples]
        table.add(
            f"myLoyalty, history of {name}  (n={runs})",
            f"median {statistics.median(ms):.2f}  p95 {percentile(ms, 95):.2f} ms  "
            f"(balance {shown['balance']:,}, {shown['tier']}, "
            f"{len(shown['history']['edges'])} entries shown)",
        )
    with _loyalty(), CaptureQueriesContext(connection) as captured:
        _my_loyalty(client, issue_token(user_id="l0"))
    selects = [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].startswith("SELECT") and " FROM " in query["sql"]
    ]
    return explain([(sql, None) for sql in selects])


def _delivery(n: int, now: int) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(
        {
            "review_id": f"bench-{n}",
            "rating": 1 + n % 5,
            "email": f"l{1 + n}@example.com",
            "title": "Lovely mug",
            "body": "Keeps the coffee hot.",
            "product": f"p{n % 500}",
            "created_at": "2026-03-10T12:00:00+00:00",
        }
    ).encode()
    webhook_id = f"msg_bench_{n}"
    return body, {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(now),
        "webhook-signature": sign(SECRET, webhook_id, now, body),
    }


def webhooks(table: Table, count: int) -> None:
    """Signed deliveries, each a new review, POSTed one after another."""
    client = Client()
    now = int(time.time())
    warm = [_delivery(-n, now) for n in range(1, 21)]
    deliveries = [_delivery(n, now) for n in range(count)]
    statuses: dict[int, int] = {}
    with _loyalty():
        for body, headers in warm:
            client.post(
                WEBHOOK, data=body, content_type="application/json", headers=headers
            )
        start = time.perf_counter()
        for body, headers in deliveries:
            response = client.post(
                WEBHOOK, data=body, content_type="application/json", headers=headers
            )
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        elapsed = time.perf_counter() - start
    accepted = statuses.get(200, 0)
    if accepted != count:
        raise RuntimeError(f"not every delivery was accepted: {statuses}")
    table.add(
        f"review webhook: signed POSTs through Django's test client, one process  "
        f"(n={count})",
        f"{accepted / elapsed:,.0f} deliveries/s  ({1000 * elapsed / count:.2f} ms "
        f"each, all {accepted:,} answered 200)",
    )
    secrets = (SECRET,)
    samples = []
    for body, headers in deliveries:
        start = time.perf_counter_ns()
        verify(headers, body, secrets, float(now))
        samples.append(time.perf_counter_ns() - start)
    table.add(
        "  of which the signature check (verify()), median",
        f"{statistics.median(samples) / 1e3:.0f} us",
    )


def _paid_orders(prefix: str, count: int, customers: int) -> None:
    now = timezone.now()
    for n in range(count):
        who = 1 + n % customers
        record_event(
            JourneyEventData(
                type=EventType.ORDER_PAID,
                idempotency_key=f"order:{prefix}{n}:paid",
                occurred_at=now,
                channel=CHANNEL,
                user_id=f"l{who}",
                email=f"l{who}@example.com",
                payload={
                    "order_id": f"{prefix}{n}",
                    "total": "120.00",
                    "net": "100.00",
                    "currency": "USD",
                },
            )
        )


def awards(table: Table, count: int, customers: int) -> None:
    """ORDER_PAID of known customers drained, loyalty off and then on."""
    drain()  # what the webhook deliveries tracked, not timed
    for prefix, on in (("off", False), ("on", True)):
        _paid_orders(prefix, count, customers)
        before = LedgerEntry.objects.count()
        with _loyalty(on), spent() as used:
            applied = drain()
        elapsed = used.wall
        made = LedgerEntry.objects.count() - before
        if on:
            table.add(
                f"ledger awards: drain() of {applied:,} ORDER_PAID, loyalty on",
                f"{made / elapsed:,.0f} entries/s  ({elapsed:.2f} s, "
                f"{made:,} entries, {applied / elapsed:,.0f} events/s)",
            )
            table.add(
                "  per award",
                f"{1000 * elapsed / applied:.2f} ms: Python CPU "
                f"{1000 * used.cpu / applied:.2f} ms, "
                f"{len(used.statements) / applied:.1f} statements "
                f"{1000 * used.in_statements / applied:.2f} ms",
            )
        else:
            table.add(
                f"  the same drain of {applied:,} ORDER_PAID, loyalty off",
                f"{applied / elapsed:,.0f} events/s  ({elapsed:.2f} s, {made} entries)",
            )


def _with_money_events(
    events: list[JourneyEventData], seed: int = 7
) -> list[JourneyEventData]:
    """The workload's reviews verified (of the product bought), and a twentieth
    of its paid orders refunded a day later, half of them in part."""
    rng = random.Random(seed)
    found: list[JourneyEventData] = []
    for event in events:
        if event.type is EventType.REVIEW_SUBMITTED:
            order = event.idempotency_key.split(":")[1]
            payload = {
                **event.payload,
                "review_id": order,
                "verified": True,
                "purchased_product": f"p{rng.randrange(500)}",
            }
            event = replace(event, payload=payload)
        found.append(event)
        if event.type is EventType.ORDER_PAID and rng.random() < 0.05:
            payload = dict(event.payload)
            key = event.idempotency_key.replace(":paid", ":refunded")
            if rng.random() < 0.5:
                payload["refunded"] = str(Decimal(payload["total"]) / 2)
                key += f":{payload['refunded']}"
            found.append(
                replace(
                    event,
                    type=EventType.ORDER_REFUNDED,
                    idempotency_key=key,
                    occurred_at=event.occurred_at + timedelta(days=1),
                    payload=payload,
                )
            )
    found.sort(key=lambda event: event.occurred_at)
    return found


def everything_on(table: Table, store_events: int, events: int) -> None:
    """drain() with loyalty, campaign scheduling and rollups on, on a big store."""
    build_store(table, store_events)
    drain_everything_on(table, events)


def build_store(table: Table, store_events: int) -> None:
    """The reports' store, with its rollups."""
    database.reset_tables()
    customers, seconds = reports.build_store(store_events)
    table.add(
        f"store built with generate_series: {store_events:,} events, "
        f"{customers:,} customers",
        f"{seconds:.0f} s",
    )
    folded, seconds = reports.build_rollups()
    table.add(f"  rollups rebuilt from {folded:,} applied events", f"{seconds:.0f} s")


def drain_everything_on(table: Table, events: int) -> None:
    """``events`` new events drained with every capability on."""
    new = _with_money_events(
        workload.generate(events, max(events // 5, 1), prefix=f"all{time.time_ns()}")
    )
    database.record(new)
    table.note(f"workload with every capability on: {workload.mix(new)}")
    entries = LedgerEntry.objects.count()
    with _everything_on(), spent() as used:
        applied = drain()
    elapsed = used.wall
    table.add(
        f"drain() of {applied:,} new events on this store, loyalty + campaigns "
        f"+ rollups on",
        f"{applied / elapsed:,.0f} events/s  ({elapsed:.2f} s, "
        f"{LedgerEntry.objects.count() - entries:,} ledger entries)",
    )
    table.add(
        "  per event",
        f"{1000 * elapsed / applied:.3f} ms: Python CPU "
        f"{1000 * used.cpu / applied:.3f} ms, "
        f"{len(used.statements) / applied:.2f} statements "
        f"{1000 * used.in_statements / applied:.3f} ms",
    )
    by_shape: dict[str, list[float]] = {}
    for sql, seconds in used.statements:
        by_shape.setdefault(" ".join(sql.split())[:70], []).append(seconds)
    heaviest = sorted(by_shape.items(), key=lambda item: -sum(item[1]))[:6]
    for shape, times in heaviest:
        table.add(
            f"    {shape}",
            f"{len(times):,} x, {1000 * sum(times) / applied:.3f} ms/event",
        )
    if database.unprocessed() or database.failed():
        raise RuntimeError("the drain left events unprocessed or failed")


def run(
    table: Table, entries: int, large: int, deliveries: int, orders: int
) -> list[str]:
    """Every figure on one store; the myLoyalty plans."""
    database.reset_tables()
    database.baselines(table)
    customers, seconds = build_ledger(entries, large)
    table.add(
        f"ledger built with generate_series: {entries:,} entries, "
        f"{customers:,} customers",
        f"{seconds:.0f} s",
    )
    plans = my_loyalty(table, runs=200, large=large)
    webhooks(table, deliveries)
    awards(table, orders, customers - 1)
    return plans
