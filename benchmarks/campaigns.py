"""Campaigns on a big store: the sweep's finding and settling of due steps,
the drain's scheduling, and emails per second through a real SMTP server.

How a checkout becomes a due email: the drain applies its CHECKOUT_* event and
the campaign scheduler (a follower of the drain, ``campaigns/scheduling.py``)
inserts one ``journey_campaign_message`` row per step (1 h, 24 h, 72 h), its
``due_at`` counted from the checkout's last change. The sweep
(``campaigns/sweep.py``) claims due rows in batches (``status = 'scheduled'
AND due_at <= now``, ``FOR UPDATE SKIP LOCKED LIMIT 500``), checks the rules
again for the batch with grouped queries (the checkouts in the store, an order
since, unsubscribes, staff, the frequency cap), commits the rows to send as
``sending`` before any email leaves, then renders and sends each, marks them
``sent`` and records their EMAIL_SENT journey events.

The store is written by PostgreSQL itself (generate_series): one guest
customer per tracked checkout, its CHECKOUT_STARTED event (and ORDER_PLACED
for 30% of them), the example store's checkout row, and its three step rows.
The checkouts' last changes spread over 90 days; steps due before now are
settled (sent, or cancelled for an ordered checkout), later ones scheduled.
Every hundredth checkout (10,000 of 1,000,000) changed two to three hours
ago, each at its own time, and has its first step due: the backlog a sweep
finds (with the steps that fell due while the store was written).
"""

import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from example_store.models import Coupon, StoreCheckout
from saleor_journey_plugin.campaigns import sweep as sweeping
from saleor_journey_plugin.campaigns.models import CampaignMessage, MessageStatus
from saleor_journey_plugin.campaigns.scheduling import SCHEDULER
from saleor_journey_plugin.core.events import EventType, JourneyEventData
from saleor_journey_plugin.core.processing import BATCH_SIZE, drain
from saleor_journey_plugin.core.recording import record_event
from saleor_journey_plugin.models import Customer, JourneyEvent

from . import database, queries
from .plans import explain, selects_of
from .smtp_sink import smtp_sink
from .stats import Table
from .timing import spent

CHANNEL = "web-usd"
DAYS = 90
# Every DUE_EVERY-th checkout has its first step due now.
DUE_EVERY = 100

_CUSTOMERS = Customer._meta.db_table
_EVENTS = JourneyEvent._meta.db_table
_CHECKOUTS = StoreCheckout._meta.db_table
_MESSAGES = CampaignMessage._meta.db_table

# The campaign settings of the benchmark's channel: the defaults (steps 1 h,
# 24 h with a 10% coupon, 72 h; a frequency cap of 24 h), abandoned checkouts on.
CAMPAIGNS = {
    "abandoned_checkout_enabled": "true",
    "checkout_url_template": "https://shop.example.com/checkout?token={token}",
    "sender_email": "Example Store <shop@example.com>",
}

_CHECKOUT_SET = """
CREATE TEMP TABLE bench_checkout AS
SELECT g, 'k' || g AS token, %(first)s + g - 1 AS customer_id,
    g %% %(every)s = 0 AS due,
    g %% %(every)s <> 0 AND g %% 10 < 3 AS ordered,
    CASE WHEN g %% %(every)s = 0
         THEN %(now)s::timestamptz - interval '2 hours'
              - (g::float8 / %(n)s) * interval '1 hour'
         ELSE %(now)s::timestamptz - (g::float8 / %(n)s) * %(days)s * interval '1 day'
    END AS changed_at
FROM generate_series(1, %(n)s) AS g
"""
_CUSTOMERS_SQL = f"""
INSERT INTO {_CUSTOMERS} (user_id, visitor_id, email, created_at)
SELECT NULL, NULL, 'c' || g || '@example.com', %(now)s
FROM generate_series(1, %(n)s) AS g
"""
_EVENTS_SQL = f"""
INSERT INTO {_EVENTS} (idempotency_key, type, channel, user_id, email, visitor_id,
    occurred_at, recorded_at, touch_channel, utm_source, utm_medium, utm_campaign,
    referrer, search_term, payload, customer_id, stage, processed_at, attempts,
    last_error)
SELECT md5('s' || g) || md5('t' || g), 'CHECKOUT_STARTED', %(channel)s, '',
    'c' || g || '@example.com', '', changed_at, changed_at, 'WEB', '', '', '', '',
    '', jsonb_build_object('checkout', token), customer_id, 'CONSIDERATION',
    changed_at, 1, ''
FROM bench_checkout
UNION ALL
SELECT md5('o' || g) || md5('p' || g), 'ORDER_PLACED', %(channel)s, '',
    'c' || g || '@example.com', '', changed_at + interval '10 minutes',
    changed_at + interval '10 minutes', 'WEB', '', '', '', '', '',
    jsonb_build_object('checkout', token, 'order_id', 'o' || g, 'total', '25.00',
                       'currency', 'USD'),
    customer_id, 'PURCHASE', changed_at + interval '10 minutes', 1, ''
FROM bench_checkout WHERE ordered
"""
_STORE_CHECKOUTS_SQL = f"""
INSERT INTO {_CHECKOUTS} (token, channel, email, user_id, lines, currency,
    updated_at, order_id)
SELECT token, %(channel)s, 'c' || g || '@example.com', '',
    '[{{"name": "Red mug", "quantity": 2, "price": "12.50"}}]'::jsonb, 'USD',
    changed_at, CASE WHEN ordered THEN 'o' || g ELSE '' END
FROM bench_checkout
"""
_MESSAGES_SQL = f"""
INSERT INTO {_MESSAGES} (channel, kind, subject, step, status, triggered_at, due_at,
    attempts, next_attempt_at, last_error, customer_id, email, coupon_code,
    coupon_expires_at, sent_at, created_at)
SELECT %(channel)s, 'abandoned_checkout', token, step, state, changed_at, due_at,
    CASE WHEN state = 'sent' THEN 1 ELSE 0 END, NULL, '', customer_id,
    CASE WHEN state = 'sent' THEN 'c' || g || '@example.com' ELSE '' END,
    CASE WHEN state = 'sent' AND step = 2 THEN 'JRN-' || upper(md5(token)) ELSE '' END,
    CASE WHEN state = 'sent' AND step = 2 THEN due_at + interval '7 days' END,
    CASE WHEN state = 'sent' THEN due_at END, changed_at
FROM (
    SELECT c.*, s.step, c.changed_at + s.delay AS due_at,
        CASE WHEN c.changed_at + s.delay > %(now)s OR (c.due AND s.step = 1)
                  THEN 'scheduled'
             WHEN c.ordered THEN 'cancelled'
             ELSE 'sent' END AS state
    FROM bench_checkout c
    CROSS JOIN (VALUES (1, interval '1 hour'), (2, interval '24 hours'),
                       (3, interval '72 hours')) AS s (step, delay)
) AS m
"""


def build_store(checkouts: int) -> tuple[int, float]:
    """The tracked checkouts, their events and step rows; how many steps are
    due now, and the seconds it took."""
    started = time.perf_counter()
    now = timezone.now()
    params: dict[str, Any] = {
        "n": checkouts,
        "every": DUE_EVERY,
        "now": now,
        "days": DAYS,
        "channel": CHANNEL,
    }
    with connection.cursor() as cursor:
        cursor.execute(_CUSTOMERS_SQL, params)
        cursor.execute(f"SELECT min(id) FROM {_CUSTOMERS}")
        row = cursor.fetchone()
        assert row is not None
        cursor.execute("DROP TABLE IF EXISTS bench_checkout")
        cursor.execute(_CHECKOUT_SET, {**params, "first": row[0]})
        for sql in (_EVENTS_SQL, _STORE_CHECKOUTS_SQL, _MESSAGES_SQL):
            cursor.execute(sql, params)
        cursor.execute("DROP TABLE bench_checkout")
        cursor.execute(
            f"VACUUM ANALYZE {_CUSTOMERS}, {_EVENTS}, {_CHECKOUTS}, {_MESSAGES}"
        )
    return len(_due_ids(timezone.now())), time.perf_counter() - started


def _due_ids(now: datetime) -> list[int]:
    return list(sweeping._due(now).values_list("id", flat=True))


def _channels() -> dict[str, Any]:
    channels = dict(settings.JOURNEY_CHANNELS)
    channels[CHANNEL] = {**channels[CHANNEL], "campaigns": CAMPAIGNS}
    return channels


@contextmanager
def _campaigns_on(backend: str, **email: Any) -> Iterator[None]:
    with override_settings(
        JOURNEY_CHANNELS=_channels(), EMAIL_BACKEND=backend, **email
    ):
        yield


DUMMY = "django.core.mail.backends.dummy.EmailBackend"
SMTP = "django.core.mail.backends.smtp.EmailBackend"


def _reset(ids: list[int]) -> None:
    """Put the swept steps back as they were: due, never claimed; forget the
    EMAIL_SENT events the sweep recorded."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_MESSAGES} SET status = %s, sent_at = NULL, attempts = 0, "
            "email = '', last_error = '', next_attempt_at = NULL "
            "WHERE id = ANY(%s)",
            [MessageStatus.SCHEDULED.value, ids],
        )
        cursor.execute(
            f"DELETE FROM {_EVENTS} WHERE type = %s AND processed_at IS NULL",
            [EventType.EMAIL_SENT.value],
        )
        # As autovacuum would between two sweeps: the claimed rows' old
        # entries leave the partial index of due steps.
        cursor.execute(f"VACUUM ANALYZE {_MESSAGES}, {_EVENTS}")


def sweep_runs(table: Table, due: int, runs: int) -> None:
    """Time ``sweep()`` over every due step, the email backend a no-op."""
    ids = _due_ids(timezone.now())
    finding = []
    for _ in range(max(runs, 5)):
        start = time.perf_counter_ns()
        found = _due_ids(timezone.now())
        finding.append(time.perf_counter_ns() - start)
    table.add(
        f"find every due step in one query ({len(found):,} ids), median",
        f"{statistics.median(finding) / 1e6:.1f} ms",
    )
    claim_runs(table, due, runs, ids)
    outcomes: Counter[str] = Counter()

    def whole_sweep() -> str:
        outcome = sweeping.sweep(now=timezone.now(), limit=due + 1)
        outcomes.update(outcome)
        return str(outcome)

    seconds = _timed_runs("sweep", runs, ids, whole_sweep)
    median = statistics.median(seconds)
    table.add(
        f"sweep(): find, check the rules, claim, render and confirm {due:,} due "
        f"steps, email backend a no-op, median of {runs}",
        f"{median:.2f} s  ({due / median:,.0f} steps/s, "
        f"{1000 * median / due:.2f} ms each; runs {_runs(seconds)})",
    )
    table.add(
        "  outcomes over the runs",
        ", ".join(f"{name} {n:,}" for name, n in sorted(outcomes.items())),
    )


def claim_runs(table: Table, due: int, runs: int, ids: list[int]) -> None:
    """Time the claim phase alone over every due step: finding, the rules and
    claiming, batch after batch, as ``sweep()`` does before its emails are
    rendered and sent (they are not, here)."""
    outcomes: Counter[str] = Counter()
    host = sweeping.get_host()

    def claim_all() -> str:
        now = timezone.now()
        batches = 0
        while True:
            claimed = sweeping.claim(now, host, sweeping.CLAIM_SIZE)
            if claimed.taken == 0:
                return f"{batches} batches"
            batches += 1
            outcomes.update(claimed.counts)
            outcomes["claimed to send"] += len(claimed.sends)

    seconds = _timed_runs("claim", runs, ids, claim_all)
    median = statistics.median(seconds)
    table.add(
        f"claim phase: find, check the rules and claim {due:,} due steps "
        f"(batches of {sweeping.CLAIM_SIZE}; rendering and sending excluded), "
        f"median of {runs}",
        f"{median:.2f} s  ({due / median:,.0f} steps/s; runs {_runs(seconds)})",
    )
    table.add(
        "  claim outcomes over the runs",
        ", ".join(f"{name} {n:,}" for name, n in sorted(outcomes.items())),
    )


def statements(table: Table, sample: int) -> Table:
    """Where one sweep's time goes, per step, from ``sample`` steps: this
    process's CPU, the statements by kind (each timed), the commits."""
    ids = _due_ids(timezone.now())
    with (
        _campaigns_on(DUMMY),
        CaptureQueriesContext(connection) as captured,
        spent() as used,
    ):
        outcome = sweeping.sweep(now=timezone.now(), limit=sample)
    _reset(ids)
    settled = sum(outcome.values())
    count: Counter[str] = Counter()
    seconds: dict[str, float] = defaultdict(float)
    for sql, took in used.statements:
        seconds[_label(sql)] += took
    for query in captured.captured_queries:
        count[_label(query["sql"])] += 1

    def per_step(value: float) -> str:
        return f"{1000 * value / settled:.2f} ms"

    table.add(
        f"  where a step's time goes  (a sweep of {settled} steps)",
        f"{per_step(used.wall)} wall; CPU in this process {per_step(used.cpu)}; "
        f"{len(used.statements) / settled:.2f} statements, their round trips "
        f"{per_step(used.in_statements)}; {count['COMMIT'] / settled:.2f} commits",
    )
    detail = Table(f"5b. The sweep's statements per step (n={settled})")
    for name, n in count.most_common():
        timed = f"  {1000 * seconds[name] / settled:6.3f} ms" if name in seconds else ""
        detail.add(name, f"{n / settled:5.2f} per step{timed}")
    return detail


_BARE = re.compile(r"(?:FROM|INTO|UPDATE)\s+(\w+)|SELECT\s+(\w+)\(")


def _label(sql: str) -> str:
    """``queries.label``, naming unquoted tables and bare function calls too."""
    name = queries.label(sql)
    if name.endswith(" ?") and (match := _BARE.search(sql)):
        name = name[:-1] + (match.group(1) or match.group(2) + "()")
    return name


def plans() -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of every SELECT one batch's claim runs,
    and of the query finding all due steps; rolled back."""
    now = timezone.now()
    with _campaigns_on(DUMMY):
        selects = selects_of(
            lambda: sweeping.claim(now, sweeping.get_host(), sweeping.CLAIM_SIZE)
        )
    due_all = sweeping._due(now).values("id").query.sql_with_params()
    return explain([*((sql, None) for sql in selects), due_all])


def emails(table: Table, count: int) -> None:
    """``count`` due steps sent through Django's SMTP backend to a loopback
    server, by one sweep in this process."""
    with smtp_sink() as (inbox, port):
        with _campaigns_on(
            SMTP, EMAIL_HOST="127.0.0.1", EMAIL_PORT=port, EMAIL_TIMEOUT=5
        ):
            start = time.perf_counter()
            outcome = sweeping.sweep(now=timezone.now(), limit=count)
            elapsed = time.perf_counter() - start
        deadline = time.perf_counter() + 10
        while (
            inbox.received < outcome.get("sent", 0) and time.perf_counter() < deadline
        ):
            time.sleep(0.01)
    table.add(
        f"emails through SMTP (aiosmtpd on loopback), one sweep, one process  "
        f"(n={count})",
        f"{inbox.received / elapsed:,.0f} emails/s  ({elapsed:.2f} s; "
        f"{inbox.received:,} received, outcomes {outcome})",
    )


def scheduling(table: Table, checkouts: int) -> None:
    """New checkouts drained with campaigns on: their steps scheduled into the
    big table. Then the scheduler's part alone, its rows made anew."""
    drain()  # the EMAIL_SENT events the sweeps recorded, not timed
    now = timezone.now()
    for n in range(checkouts):
        record_event(
            JourneyEventData(
                type=EventType.CHECKOUT_STARTED,
                idempotency_key=f"checkout:new-{n}:started",
                occurred_at=now,
                channel=CHANNEL,
                email=f"new{n}@example.com",
                payload={"checkout": f"new-{n}"},
            )
        )
    with _campaigns_on(DUMMY):
        start = time.perf_counter()
        applied = drain()
        elapsed = time.perf_counter() - start
        made = CampaignMessage.objects.filter(subject__startswith="new-")
        rows = made.count()
        table.add(
            f"drain() of {applied:,} new CHECKOUT_STARTED events, campaigns on",
            f"{applied / elapsed:,.0f} events/s  ({elapsed:.2f} s; "
            f"{rows:,} step rows scheduled)",
        )
        ids = list(
            JourneyEvent.objects.filter(
                type=EventType.CHECKOUT_STARTED.value,
                payload__checkout__startswith="new-",
            )
            .order_by("id")
            .values_list("id", flat=True)
        )
        made.delete()
        start = time.perf_counter()
        for low in range(0, len(ids), BATCH_SIZE):
            with transaction.atomic():
                SCHEDULER.fold(ids[low : low + BATCH_SIZE], 1)
        elapsed = time.perf_counter() - start
    table.add(
        f"  of which the scheduler alone ({len(ids):,} events, "
        f"batches of {BATCH_SIZE})",
        f"{elapsed:.2f} s  ({len(ids) / elapsed:,.0f} checkouts/s, "
        f"{made.count():,} rows)",
    )


def run(
    table: Table, checkouts: int, runs: int, sent: int, new: int, sample: int
) -> list[Table | str]:
    """Build the store, then every figure; the detail tables and the plans."""
    database.reset_tables()
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {_CHECKOUTS}, {Coupon._meta.db_table}")
    database.baselines(table)
    due, seconds = build_store(checkouts)
    table.add(
        f"store built with generate_series: {checkouts:,} tracked checkouts, "
        f"{3 * checkouts:,} step rows",
        f"{seconds:.0f} s  ({due:,} steps due now)",
    )
    sweep_runs(table, due, runs)
    detail = statements(table, sample)
    found_plans = plans()
    emails(table, sent)
    scheduling(table, new)
    return [detail, *found_plans]


def _timed_runs(
    name: str, runs: int, ids: list[int], body: Callable[[], str]
) -> list[float]:
    """Seconds of each of ``runs`` calls of ``body`` with campaigns on (the
    dummy email backend), the due steps put back after each."""
    seconds = []
    with _campaigns_on(DUMMY):
        for run in range(runs):
            begun = time.perf_counter()
            what = body()
            seconds.append(time.perf_counter() - begun)
            print(
                f"  {name} run {run + 1}: {what} in {seconds[-1]:.2f} s",
                file=sys.stderr,
                flush=True,
            )
            _reset(ids)
    return seconds


def _runs(seconds: list[float]) -> str:
    return ", ".join(f"{s:.2f}" for s in seconds)
