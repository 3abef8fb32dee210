"""journeyReport on a big store: rollups beside the naive event-log queries.

The store is written by PostgreSQL itself (generate_series): customers, each
with ten events spread over two years (views, checkouts, orders, payments,
cancellations, refunds, reviews, abandonments, lapses), their journeys and
stage transitions, all applied. The rollups are then built by the plugin's
own ``rebuild`` (the same fold the drain runs), and each report is timed
through the registered runners (rollups) and the reference runners (the
event log), on the same data, with a check that both give the same result.
"""

import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection

from saleor_journey_plugin.core.processing import drain
from saleor_journey_plugin.models import (
    Customer,
    Journey,
    JourneyEvent,
    StageTransition,
)
from saleor_journey_plugin.reports import (
    Period,
    compute_funnel,
    compute_journey_map,
    compute_kpis,
    compute_time_in_stage,
    reference_funnel,
    reference_journey_map,
    reference_kpis,
    reference_time_in_stage,
)
from saleor_journey_plugin.reports.rollups.models import RollupChannel
from saleor_journey_plugin.reports.rollups.state import rebuild

from . import database, workload
from .stats import Table, percentile

CHANNEL = "web-usd"
TIME_ZONE = "America/New_York"
# The store's last day; its two years of history end here.
LAST_DAY = date(2026, 10, 31)
DAYS = 730
MIDNIGHT = datetime.min.time()
EVENTS_PER_CUSTOMER = 10

_CUSTOMERS = Customer._meta.db_table
_JOURNEYS = Journey._meta.db_table
_EVENTS = JourneyEvent._meta.db_table
_TRANSITIONS = StageTransition._meta.db_table

# Per customer c, pseudo-random but repeatable: the time between their events,
# how deep into the funnel they go (0..99), and when their history starts
# (seconds into the two years, which last %(span)s seconds): anywhere up to
# the last day less their nine steps, so their tenth event still falls on it
# and the last month is as busy as any.
_STEP = "(3600 + ((c::bigint * 16807) %% 2147483647) %% (3 * 86400))"
_START = f"(((c::bigint * 48271) %% 2147483647) %% (%(span)s - 9 * {_STEP}))"
_DEPTH = "(((c::bigint * 69621) %% 2147483647) %% 100)"
_AT = "(%(origin)s::timestamptz + ({start} + {k} * {step}) * interval '1 second')"


def _at(k: str) -> str:
    return _AT.format(start=_START, step=_STEP, k=k)


# The k-th event of a customer (k = 0..9), by depth: views, a checkout at
# k=4 for depth < 60, an order at k=5 for depth < 40 (else an abandonment for
# depth < 60), paid at k=6, a second order at k=8 for depth < 15, a review at
# k=7 for depth < 12, a cancellation for depth < 3, a refund for depth 3..4,
# a lapse at k=9 for depth 15..19.
_TYPE = f"""CASE
    WHEN k = 4 AND {_DEPTH} < 60 THEN 'CHECKOUT_STARTED'
    WHEN k = 5 AND {_DEPTH} < 40 THEN 'ORDER_PLACED'
    WHEN k = 5 AND {_DEPTH} < 60 THEN 'CHECKOUT_ABANDONED'
    WHEN k = 6 AND {_DEPTH} < 40 THEN 'ORDER_PAID'
    WHEN k = 7 AND {_DEPTH} < 3 THEN 'ORDER_CANCELLED'
    WHEN k = 7 AND {_DEPTH} < 5 THEN 'ORDER_REFUNDED'
    WHEN k = 7 AND {_DEPTH} < 12 THEN 'REVIEW_SUBMITTED'
    WHEN k = 8 AND {_DEPTH} < 15 THEN 'ORDER_PLACED'
    WHEN k = 9 AND {_DEPTH} >= 15 AND {_DEPTH} < 20 THEN 'LAPSE_DETECTED'
    WHEN k = 0 THEN 'VISIT'
    ELSE 'PRODUCT_VIEWED' END"""
_STAGE = f"""CASE
    WHEN k = 9 AND {_DEPTH} >= 15 AND {_DEPTH} < 20 THEN 'LAPSED'
    WHEN k >= 8 AND {_DEPTH} < 15 THEN 'RETENTION'
    WHEN k >= 5 AND {_DEPTH} < 40 THEN 'PURCHASE'
    WHEN k >= 4 AND {_DEPTH} < 60 THEN 'CONSIDERATION'
    WHEN k >= 2 AND {_DEPTH} < 80 THEN 'INTEREST'
    ELSE 'AWARENESS' END"""
_PAYLOAD = f"""CASE
    WHEN k IN (4, 5, 6, 7, 8) AND {_DEPTH} < 60 THEN jsonb_build_object(
        'checkout', 'k' || c || CASE WHEN k = 8 THEN 'b' ELSE '' END,
        'order_id', 'o' || c || CASE WHEN k = 8 THEN 'b' ELSE '' END,
        'total', ((c %% 20000) + 500)::numeric / 100, 'currency', 'USD',
        'rating', 1 + (c %% 5))
    ELSE jsonb_build_object('product_id', 'p' || (c %% 500)) END"""

EVENTS_SQL = f"""
INSERT INTO {_EVENTS} (id, idempotency_key, type, channel, user_id, email,
    visitor_id, occurred_at, recorded_at, touch_channel, utm_source, utm_medium,
    utm_campaign, referrer, search_term, payload, customer_id, stage,
    processed_at, attempts, last_error)
SELECT g + 1, md5(g::text) || md5((-g)::text), {_TYPE}, %(channel)s,
    'u' || c, 'c' || c || '@example.com', '', {_at("k")}, now(),
    (ARRAY['WEB', 'WEB', 'WEB', 'APP', 'EMAIL'])[1 + (g %% 5)],
    CASE WHEN k = 0 THEN (ARRAY['google', 'instagram', 'newsletter', 'naver',
                                 'tiktok', ''])[1 + (c %% 6)] ELSE '' END,
    '', CASE WHEN k = 0 THEN 'spring-' || (c %% 40) ELSE '' END, '', '',
    {_PAYLOAD}, %(first)s + c - 1, {_STAGE}, now(), 1, ''
FROM (SELECT g, 1 + g %% %(customers)s AS c, g / %(customers)s AS k
      FROM generate_series(%(low)s, %(high)s) AS g) AS s
"""
# One transition per stage a customer reaches, at the event that moved them.
_MOVES = [
    # (to, from, k of the event, who: a depth condition)
    ("AWARENESS", None, 0, "true"),
    ("INTEREST", "AWARENESS", 2, f"{_DEPTH} < 80"),
    ("CONSIDERATION", "INTEREST", 4, f"{_DEPTH} < 60"),
    ("PURCHASE", "CONSIDERATION", 5, f"{_DEPTH} < 40"),
    ("RETENTION", "PURCHASE", 8, f"{_DEPTH} < 15"),
    ("LAPSED", "PURCHASE", 9, f"{_DEPTH} >= 15 AND {_DEPTH} < 20"),
]


def _transitions_sql(to: str, came_from: str | None, k: int, who: str) -> str:
    source = f"'{came_from}'" if came_from else "NULL"
    return f"""
    INSERT INTO {_TRANSITIONS} (journey_id, event_id, from_stage, to_stage,
        occurred_at, win_back, channel)
    SELECT %(first_journey)s + c - 1, {k}::bigint * %(customers)s + c, {source},
        '{to}', {_at(str(k))}, false, %(channel)s
    FROM generate_series(1, %(customers)s) AS c WHERE {who}
    """


def stored_events() -> int:
    """Events of a store an earlier run left (0 when there is none)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM (SELECT 1 FROM {_EVENTS} LIMIT 1) AS e")
        (any_event,) = cursor.fetchone()
        if not any_event:
            return 0
        cursor.execute(f"SELECT max(id) FROM {_EVENTS}")
        (events,) = cursor.fetchone()
    return int(events)


@contextmanager
def _bulk_load(*tables: str) -> Iterator[None]:
    """Drop the tables' secondary indexes, unique and foreign-key constraints
    for a bulk load and recreate them after: building an index once is far
    cheaper than updating it row by row (minutes at ten million rows).
    """
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE conrelid = ANY(%s::regclass[]) "
            "AND contype IN ('u', 'f')",
            [list(tables)],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint "
            "WHERE contype IN ('p', 'u'))",
            [list(tables)],
        )
        indexes = cursor.fetchall()
        for table, name, _ in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    yield
    with connection.cursor() as cursor:
        for _, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in constraints:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def build_store(events: int) -> tuple[int, float]:
    """Write the store; return (customers, seconds)."""
    customers = events // EVENTS_PER_CUSTOMER
    started = time.perf_counter()
    zone = ZoneInfo(TIME_ZONE)
    origin = datetime.combine(LAST_DAY - timedelta(days=DAYS - 1), MIDNIGHT, zone)
    # The end of the last day, in the store's time zone (a DST change makes
    # the two years an hour shorter or longer than DAYS whole days).
    end = datetime.combine(LAST_DAY + timedelta(days=1), MIDNIGHT, zone)
    with _bulk_load(_EVENTS, _TRANSITIONS), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_CUSTOMERS} (user_id, email, created_at) "
            "SELECT 'u' || c, 'c' || c || '@example.com', now() "
            "FROM generate_series(1, %s) AS c ORDER BY c",
            [customers],
        )
        cursor.execute(f"SELECT min(id) FROM {_CUSTOMERS}")
        (first,) = cursor.fetchone()
        params: dict[str, Any] = {
            "channel": CHANNEL,
            "customers": customers,
            "first": first,
            "origin": origin,
            "span": int((end - origin).total_seconds()),
        }
        step = 1_000_000
        for low in range(0, events, step):
            params.update(low=low, high=min(low + step, events) - 1)
            cursor.execute(EVENTS_SQL, params)
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{_EVENTS}', 'id'), %s)", [events]
        )
        cursor.execute(
            f"INSERT INTO {_JOURNEYS} (customer_id, channel, paid_orders, updated_at) "
            "SELECT %(first)s + c - 1, %(channel)s, 0, now() "
            "FROM generate_series(1, %(customers)s) AS c ORDER BY c",
            params,
        )
        cursor.execute(f"SELECT min(id) FROM {_JOURNEYS}")
        (params["first_journey"],) = cursor.fetchone()
        for move in _MOVES:
            cursor.execute(_transitions_sql(*move), params)
        cursor.execute(
            f"""
            UPDATE {_JOURNEYS} AS j SET stage = t.to_stage,
                stage_entered_at = t.occurred_at
            FROM (SELECT DISTINCT ON (journey_id) journey_id, to_stage, occurred_at
                  FROM {_TRANSITIONS} ORDER BY journey_id, occurred_at DESC, id DESC)
                AS t
            WHERE j.id = t.journey_id
            """
        )
        cursor.execute(f"VACUUM ANALYZE {_EVENTS}")
    return customers, time.perf_counter() - started


def rollups_ready() -> bool:
    return RollupChannel.objects.filter(
        channel=CHANNEL, time_zone=TIME_ZONE, ready=True
    ).exists()


def build_rollups() -> tuple[int, float]:
    started = time.perf_counter()
    folded = rebuild(CHANNEL, TIME_ZONE)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return folded, time.perf_counter() - started


Report = Callable[[str, Period], Any]
REPORTS: list[tuple[str, Report, Report]] = [
    ("kpis", compute_kpis, reference_kpis),
    ("funnel", compute_funnel, reference_funnel),
    ("timeInStage", compute_time_in_stage, reference_time_in_stage),
    ("map", compute_journey_map, reference_journey_map),
]


def _timed(report: Report, period: Period, runs: int) -> tuple[list[float], Any]:
    samples = []
    result = None
    for _ in range(runs):
        start = time.perf_counter()
        result = report(CHANNEL, period)
        samples.append((time.perf_counter() - start) * 1000)
    return samples, result


def _figure(samples: list[float]) -> str:
    p95 = percentile(samples, 95) if len(samples) > 1 else samples[0]
    return f"p50 {statistics.median(samples):8.1f}  p95 {p95:8.1f} ms"


def run(table: Table, runs: int, naive_runs: int) -> list[str]:
    """Time the reports of the last 30 and 365 days; return EXPLAIN of each query."""
    for days in (30, 365):
        period = Period(
            LAST_DAY - timedelta(days=days - 1), LAST_DAY + timedelta(1), TIME_ZONE
        )
        whole_fast: list[float] = [0.0] * runs
        whole_naive: list[float] = [0.0] * naive_runs
        for name, fast, naive in REPORTS:
            fast_samples, fast_result = _timed(fast, period, runs)
            compared = ""
            if naive_runs:
                naive_samples, naive_result = _timed(naive, period, naive_runs)
                same = fast_result == naive_result
                compared = (
                    f"   naive (n={naive_runs}) {_figure(naive_samples)}   "
                    f"{'same result' if same else 'DIFFERENT RESULT'}"
                )
                whole_naive = [
                    a + b for a, b in zip(whole_naive, naive_samples, strict=True)
                ]
            table.add(
                f"{days:3d} days  {name:<11} rollups (n={runs})",
                _figure(fast_samples) + compared,
            )
            whole_fast = [a + b for a, b in zip(whole_fast, fast_samples, strict=True)]
        table.add(
            f"{days:3d} days  journeyReport {{kpis funnel timeInStage map}}",
            _figure(whole_fast)
            + (f"   naive {_figure(whole_naive)}" if naive_runs else ""),
        )
    return explain(
        Period(LAST_DAY - timedelta(days=364), LAST_DAY + timedelta(1), TIME_ZONE)
    )


def drain_on_store(table: Table, events: int) -> None:
    """The drain's throughput on this store: rollups and tallies as big as
    the store's. New customers' events, applied by ``drain()`` in this
    process."""
    # A prefix of its own per run: a kept store has the earlier runs' events.
    prefix = f"big{time.time_ns()}"
    database.record(workload.generate(events, max(events // 5, 1), prefix=prefix))
    started = time.perf_counter()
    applied = drain()
    elapsed = time.perf_counter() - started
    table.add(
        f"drain() of {applied:,} new events on this store",
        f"{applied / elapsed:,.0f} events/s",
    )


def explain(period: Period) -> list[str]:
    """The plans of every statement the rollup reports run for ``period``."""
    plans: list[str] = []
    with connection.execute_wrapper(_Explainer(plans)):
        for _, fast, _ in REPORTS:
            fast(CHANNEL, period)
    return plans


class _Explainer:
    def __init__(self, plans: list[str]) -> None:
        self.plans = plans

    def __call__(
        self, execute: Any, sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        if (
            sql.lstrip().upper().startswith(("SELECT", "WITH"))
            and "journey_rollup_channel" not in sql
        ):
            cursor = context["cursor"]
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS OFF, TIMING OFF) " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            self.plans.append(f"{' '.join(sql.split())[:160]}...\n{plan}")
        return execute(sql, params, many, context)
