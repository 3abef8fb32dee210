"""Processing throughput: the drain task on one Celery worker, and inline."""

import cProfile
import pstats
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from saleor_journey_plugin import service, wakeup
from saleor_journey_plugin.core.events import JourneyEventData
from saleor_journey_plugin.core.processing import drain
from saleor_journey_plugin.models import ProcessingRequest

from . import database, queries, workload
from .stats import Table
from .worker import (
    CONCURRENCY,
    WorkerCpu,
    children,
    cpu_seconds,
    peak_rss_mb,
    running_worker,
    tasks_run,
)

POLL = 0.05
TIMEOUT = 300.0
TRACKERS = 4
WORKER = f"1 worker x{CONCURRENCY}"


def _wait_processed(started: float) -> float:
    """Seconds from ``started`` until no event is left unprocessed."""
    while database.unprocessed():
        if time.perf_counter() - started > TIMEOUT:
            raise RuntimeError("the worker did not finish in time")
        time.sleep(POLL)
    return time.perf_counter() - started


def _track_all(events: list[JourneyEventData]) -> None:
    """``service.record_and_wake`` every event from TRACKERS threads, as store
    requests do."""

    def track(share: list[JourneyEventData]) -> None:
        try:
            for data in share:
                service.record_and_wake(data)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=track, args=(events[i::TRACKERS],))
        for i in range(TRACKERS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _measure(
    table: Table,
    app: Any,
    pid: int,
    name: str,
    count: int,
    run: Callable[[], object],
    tracking: bool = False,
) -> None:
    """Call ``run``, then wait until every event is processed."""
    tasks, cpu = tasks_run(app), WorkerCpu(pid)
    started = time.perf_counter()
    run()
    running = time.perf_counter() - started
    elapsed = _wait_processed(started)
    table.add(
        f"{name}  (n={count})",
        f"{count / elapsed:,.0f} events/s  ({elapsed:.2f} s)",
    )
    if tracking:
        rate = f"{count / running:,.0f} record_and_wake() calls/s"
        table.add(
            "  of which the record_and_wake() calls", f"{running:.2f} s  ({rate})"
        )
    table.add("  worker CPU", cpu.report(count))
    table.add("  drain tasks run", str(tasks_run(app) - tasks))


def celery(
    table: Table, app: Any, env: dict[str, str], events: int, customers: int
) -> None:
    """The plugin's drain task on one worker: a backlog, then live hooks."""
    backlog = workload.generate(events, customers, prefix="c")
    table.note(f"workload mix: {workload.mix(backlog)}")
    database.record(backlog)
    # Nothing pending, no spacing: the wake-up below publishes at once.
    ProcessingRequest.objects.all().delete()
    live = workload.generate(events, customers, prefix="t")
    with running_worker(app, env) as worker:
        _measure(
            table,
            app,
            worker.pid,
            f"Celery: backlog, one wake_processor(), {WORKER}",
            events,
            wakeup.wake_processor,
        )
        _measure(
            table,
            app,
            worker.pid,
            f"Celery: {TRACKERS} threads record_and_wake() while it runs, {WORKER}",
            events,
            lambda: _track_all(live),
            tracking=True,
        )
        pids = [worker.pid, *children(worker.pid)]
        rss = [f"{mb:.0f}" for pid in pids if (mb := peak_rss_mb(pid)) is not None]
    table.add("events failed (last_error set)", str(database.failed()))
    table.add("worker peak RSS, main / children", " / ".join(rss) + " MiB")


@contextmanager
def _backend_cpu() -> Iterator[list[float]]:
    """CPU used by this process and by its PostgreSQL backend, in seconds."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        row = cursor.fetchone()
    backend = int(row[0]) if row else 0
    start = (time.process_time(), cpu_seconds(backend))
    used: list[float] = []
    yield used
    used += [time.process_time() - start[0], cpu_seconds(backend) - start[1]]


def inline(
    table: Table, events: int, customers: int, profile: bool = False
) -> list[Table]:
    """drain() in this process, its statements logged: the work without Celery.

    With ``profile``, under cProfile (slower), printing its top functions.
    """
    database.record(workload.generate(events, customers, prefix="i"))
    profiler = cProfile.Profile() if profile else None
    with _backend_cpu() as used, CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        applied = profiler.runcall(drain) if profiler else drain()
        elapsed = time.perf_counter() - started
    if profiler:
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("cumulative").print_stats(30)
    table.add(
        f"Inline: drain() in this process{' (cProfile)' if profile else ''}"
        f"  (n={applied})",
        f"{applied / elapsed:,.0f} events/s  ({1000 * elapsed / applied:.3f} ms/event)",
    )
    python, postgres = (1000 * seconds / applied for seconds in used)
    table.add(
        "  CPU",
        f"Python {python:.3f} ms + PostgreSQL backend {postgres:.3f} ms per event",
    )
    return queries.report(table, captured.captured_queries, applied, elapsed)
