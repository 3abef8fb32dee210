"""Database helpers and baselines: a round trip, a bare INSERT, machine speed."""

import time

from django.db import connection
from django.db.models import Model

from saleor_journey_plugin.core.events import JourneyEventData
from saleor_journey_plugin.core.recording import record_event
from saleor_journey_plugin.models import (
    Customer,
    Journey,
    JourneyEvent,
    StageTransition,
)
from saleor_journey_plugin.reports.rollups.models import ROLLUP_MODELS

from .stats import Table, median_us


def reset_tables() -> None:
    models: list[type[Model]] = [StageTransition, JourneyEvent, Journey, Customer]
    tables = ", ".join(model._meta.db_table for model in [*models, *ROLLUP_MODELS])
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


def record(events: list[JourneyEventData]) -> None:
    """Log the events without waking the processor."""
    if None in [record_event(data) for data in events]:
        raise RuntimeError("workload has duplicate idempotency keys")


def unprocessed() -> int:
    return JourneyEvent.objects.filter(processed_at__isnull=True).count()


def failed() -> int:
    return JourneyEvent.objects.exclude(last_error="").count()


def _timed(sql: str, params: list[str] | None, runs: int) -> list[int]:
    samples = []
    with connection.cursor() as cursor:
        for _ in range(runs):
            start = time.perf_counter_ns()
            cursor.execute(sql, params)
            samples.append(time.perf_counter_ns() - start)
    return samples


def baselines(table: Table, runs: int = 2000) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_bare")
        cursor.execute("CREATE TABLE bench_bare (id bigserial PRIMARY KEY, v text)")
    _timed("SELECT 1", None, 200)
    select = _timed("SELECT 1", None, runs)
    table.add(f"SELECT 1 round trip, median  (n={runs})", f"{median_us(select):.0f} us")
    _timed("INSERT INTO bench_bare (v) VALUES (%s)", ["warm"], 200)
    insert = _timed("INSERT INTO bench_bare (v) VALUES (%s)", ["order placed"], runs)
    table.add(
        f"bare single-row INSERT, autocommit, median  (n={runs})",
        f"{median_us(insert):.0f} us",
    )
    python = []
    for _ in range(200):
        start = time.process_time_ns()
        sum(range(10_000))
        python.append(time.process_time_ns() - start)
    table.add(
        "machine speed: CPU for sum(range(10_000)), median",
        f"{median_us(python):.0f} us  (to compare machines)",
    )
