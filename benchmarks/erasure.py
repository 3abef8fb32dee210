"""Erasing one customer from a large event log: time and the statements' plans."""

import random
import statistics
import time
from typing import Any

from django.db import connection, transaction

from saleor_journey_plugin.core.erasure import (
    KEPT_PAYLOAD_KEYS,
    SCRUB_PROCESSED,
    SCRUB_WAITING_ACCOUNT,
    erase_customer,
)
from saleor_journey_plugin.models import Customer, JourneyEvent

from .stats import Table

_CUSTOMERS = Customer._meta.db_table
_EVENTS = JourneyEvent._meta.db_table


def build_log(events: int, customers: int) -> None:
    """Customers with a user id and email each, and events spread over them,
    written by PostgreSQL itself (generate_series), processed."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_CUSTOMERS} (user_id, email, created_at) "
            "SELECT 'u' || g, 'c' || g || '@example.com', now() "
            "FROM generate_series(1, %s) AS g",
            [customers],
        )
        cursor.execute(f"SELECT min(id) FROM {_CUSTOMERS}")
        (first_id,) = cursor.fetchone()
        cursor.execute(
            f"""
            INSERT INTO {_EVENTS} (idempotency_key, type, channel, user_id, email,
                visitor_id, occurred_at, recorded_at, touch_channel, utm_source,
                utm_medium, utm_campaign, referrer, search_term, payload,
                customer_id, stage, processed_at, attempts, last_error)
            SELECT md5(g::text) || md5((-g)::text), 'VISIT', 'web-usd',
                'u' || (1 + g %% %(n)s), 'c' || (1 + g %% %(n)s) || '@example.com',
                '', now() - g * interval '1 second', now(), 'WEB', 'newsletter',
                'email', 'spring', 'https://example.com/', 'socks',
                jsonb_build_object('total', '10.00', 'product_id', 'p' || g),
                %(first)s + g %% %(n)s, 'AWARENESS', now(), 1, ''
            FROM generate_series(1, %(events)s) AS g
            """,
            {"n": customers, "first": first_id, "events": events},
        )
        cursor.execute(f"ANALYZE {_CUSTOMERS}, {_EVENTS}")


def run(table: Table, events: int, customers: int, erasures: int = 30) -> list[str]:
    """Time ``erasures`` deletions; return the plans of the two statements."""
    started = time.perf_counter()
    build_log(events, customers)
    table.add(
        f"log built with generate_series: {events:,} events, {customers:,} customers",
        f"{time.perf_counter() - started:.1f} s",
    )
    plans = _plans(customer_id=1, user_id="u1", email="c1@example.com")
    samples = []
    for n in random.Random(7).sample(range(2, customers + 1), erasures):
        start = time.perf_counter_ns()
        with transaction.atomic():
            erase_customer(user_id=f"u{n}", email=f"c{n}@example.com")
        samples.append(time.perf_counter_ns() - start)
    per_customer = events // customers
    ms = sorted(s / 1e6 for s in samples)
    table.add(
        f"erase one customer (~{per_customer} events), n={erasures}",
        f"median {statistics.median(ms):.1f}  max {ms[-1]:.1f} ms",
    )
    return plans


def _plans(*, customer_id: int, user_id: str, email: str) -> list[str]:
    params: dict[str, Any] = {
        "kept": list(KEPT_PAYLOAD_KEYS),
        "customers": [customer_id],
        "user_id": user_id,
        "email": email,
    }
    plans = []
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in (SCRUB_PROCESSED, SCRUB_WAITING_ACCOUNT):
            cursor.execute(
                "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + statement, params
            )
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
        transaction.set_rollback(True)  # EXPLAIN ANALYZE ran the UPDATEs
    return plans
