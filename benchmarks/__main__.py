"""``python -m benchmarks``: hook cost and processing throughput on PostgreSQL.

Sizes: BENCH_EVENTS events per throughput run (default 5000, over
BENCH_EVENTS / 5 customers), BENCH_HOOK_ITERATIONS hook calls (default 2000).
BENCH_PROFILE=1 runs the inline drain() under cProfile (top functions to stderr).
BENCH_ERASURE_EVENTS sizes the erasure log (default 1,000,000 events).
BENCH_REPORT_EVENTS sizes the reports' store (default 10,000,000 events, a tenth
as many customers). BENCH_ONLY=processing runs tables 1 and 2 alone,
BENCH_ONLY=reports table 4 alone. BENCH_REPORT_REUSE=1 (with BENCH_ONLY=reports)
keeps a store an earlier run left in the database, after migrating it.
BENCH_NAIVE_RUNS times each naive query that many times (default 3; 0 skips
them, and the check that they agree), BENCH_REPORT_RUNS each rollup report
(default 20).
BENCH_ONLY=campaigns runs table 5 alone (BENCH_CAMPAIGN_CHECKOUTS tracked
checkouts, default 1,000,000, a hundredth of them due; BENCH_CAMPAIGN_RUNS
sweeps, default 3; BENCH_CAMPAIGN_EMAILS sent through SMTP, default 500),
BENCH_ONLY=loyalty table 6 alone (BENCH_LOYALTY_ENTRIES ledger entries,
default 1,000,000; BENCH_LOYALTY_LARGE of them one customer's, default 10,000;
BENCH_WEBHOOKS review deliveries, default 2000; BENCH_LOYALTY_ORDERS paid
orders drained, default 5000), then table 7: the drain with every capability
on, BENCH_ALL_ON_EVENTS new events (default 20,000) on a store of
BENCH_ALL_ON_STORE_EVENTS events (default 1,000,000; 10000000 for the
reports' 10M-event store, about 30 minutes more to build).
"""

import os
import sys
import time

from .environment import (
    BROKER_URL,
    DATABASE_URL,
    configure,
    database_exists,
    flush_broker,
    migrate,
    recreate_database,
)

EVENTS = int(os.environ.get("BENCH_EVENTS", "5000"))
CUSTOMERS = max(EVENTS // 5, 1)
HOOK_ITERATIONS = int(os.environ.get("BENCH_HOOK_ITERATIONS", "2000"))
ERASURE_EVENTS = int(os.environ.get("BENCH_ERASURE_EVENTS", "1000000"))
PROFILE = os.environ.get("BENCH_PROFILE") == "1"
REPORT_EVENTS = int(os.environ.get("BENCH_REPORT_EVENTS", "10000000"))
ONLY = os.environ.get("BENCH_ONLY", "")
REUSE_STORE = ONLY == "reports" and os.environ.get("BENCH_REPORT_REUSE") == "1"
NAIVE_RUNS = int(os.environ.get("BENCH_NAIVE_RUNS", "3"))
REPORT_RUNS = int(os.environ.get("BENCH_REPORT_RUNS", "20"))
CAMPAIGN_CHECKOUTS = int(os.environ.get("BENCH_CAMPAIGN_CHECKOUTS", "1000000"))
CAMPAIGN_RUNS = int(os.environ.get("BENCH_CAMPAIGN_RUNS", "3"))
CAMPAIGN_EMAILS = int(os.environ.get("BENCH_CAMPAIGN_EMAILS", "500"))
LOYALTY_ENTRIES = int(os.environ.get("BENCH_LOYALTY_ENTRIES", "1000000"))
LOYALTY_LARGE = int(os.environ.get("BENCH_LOYALTY_LARGE", "10000"))
WEBHOOKS = int(os.environ.get("BENCH_WEBHOOKS", "2000"))
LOYALTY_ORDERS = int(os.environ.get("BENCH_LOYALTY_ORDERS", "5000"))
ALL_ON_EVENTS = int(os.environ.get("BENCH_ALL_ON_EVENTS", "20000"))
ALL_ON_STORE_EVENTS = int(os.environ.get("BENCH_ALL_ON_STORE_EVENTS", "1000000"))


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min) {five:.2f} (5 min) on {os.cpu_count()} CPUs"


def _phase(name: str, begun: float) -> None:
    print(f"[{time.perf_counter() - begun:5.1f} s] {name}", file=sys.stderr, flush=True)


def main() -> int:
    begun = time.perf_counter()
    load_before = _load()
    env = configure()
    _phase(f"setting up {DATABASE_URL} and {BROKER_URL}", begun)
    if not (REUSE_STORE and database_exists()):
        recreate_database()
    migrate()
    flush_broker()

    import django

    django.setup()

    from example_store.celery import app

    from . import database, erasure, hook, throughput
    from .stats import Table

    if ONLY == "reports":
        return _reports(begun, load_before)
    if ONLY == "campaigns":
        _campaigns(begun)
        return _finish(begun, load_before)
    if ONLY == "loyalty":
        _loyalty(begun)
        return _finish(begun, load_before)

    hook_table = Table(
        "1. Hook cost: service.record_and_wake() in autocommit, PostgreSQL + Redis"
    )
    _phase(hook_table.title, begun)
    hook.run(hook_table, iterations=HOOK_ITERATIONS)
    hook_table.note(
        "target: record_and_wake() of a new event, median under 2 ms; the "
        "Saleor figure (plugin inside checkoutComplete) is "
        "tests/saleor/bench_checkout_hooks.py"
    )
    app.control.purge()
    flush_broker()
    database.reset_tables()

    work = Table("2. Processing throughput on PostgreSQL")
    _phase(work.title, begun)
    database.baselines(work)
    throughput.celery(work, app, env, EVENTS, CUSTOMERS)
    details = throughput.inline(work, EVENTS, CUSTOMERS, profile=PROFILE)
    work.note("target: 1,000 events/s through the drain task on one worker")

    if ONLY == "processing":
        for table in (hook_table, work, *details):
            print(table.render())
            print()
        return 0

    database.reset_tables()
    forget = Table("3. Erasure on a large log (two UPDATEs on indexes)")
    _phase(forget.title, begun)
    plans = erasure.run(forget, ERASURE_EVENTS, max(ERASURE_EVENTS // 20, 1))

    print()
    for table in (hook_table, work, *details, forget):
        print(table.render())
        print()
    print("Erasure plans (EXPLAIN ANALYZE, one customer):")
    for plan in plans:
        print(plan)
        print()
    _campaigns(begun)
    _loyalty(begun)
    return _reports(begun, load_before)


def _campaigns(begun: float) -> None:
    from . import campaigns
    from .stats import Table

    table = Table("5. Campaigns on a big store: the sweep, scheduling, SMTP")
    _phase(table.title, begun)
    details = campaigns.run(
        table,
        checkouts=CAMPAIGN_CHECKOUTS,
        runs=CAMPAIGN_RUNS,
        sent=CAMPAIGN_EMAILS,
        new=min(5000, CAMPAIGN_CHECKOUTS),
        sample=400,
    )
    table.note(
        "target: finding and settling 10,000 due steps of 1,000,000 tracked "
        "checkouts under 2 s, sending excluded"
    )
    print()
    print(table.render())
    print()
    for detail in details:
        print(detail if isinstance(detail, str) else detail.render())
        print()


def _loyalty(begun: float) -> None:
    from . import loyalty
    from .stats import Table

    table = Table("6. Loyalty: review webhooks, ledger awards, myLoyalty")
    _phase(table.title, begun)
    plans = loyalty.run(
        table,
        entries=LOYALTY_ENTRIES,
        large=LOYALTY_LARGE,
        deliveries=WEBHOOKS,
        orders=LOYALTY_ORDERS,
    )
    print()
    print(table.render())
    print()
    print("myLoyalty plans (EXPLAIN (ANALYZE, BUFFERS), the large history):")
    for plan in plans:
        print(plan)
        print()
    everything = Table("7. The drain with every capability on, on a big store")
    _phase(everything.title, begun)
    loyalty.everything_on(everything, ALL_ON_STORE_EVENTS, ALL_ON_EVENTS)
    everything.note("target: 1,000 events/s with loyalty, campaigns and rollups on")
    print(everything.render())
    print()


def _finish(begun: float, load_before: str) -> int:
    print(f"Before: {load_before}")
    print(f"After:  {_load()}")
    print(f"Benchmark took {time.perf_counter() - begun:.0f} s")
    return 0


def _reports(begun: float, load_before: str) -> int:
    from . import database, reports
    from .stats import Table

    store = Table("4. journeyReport on a big store: rollups beside the event log")
    _phase(store.title, begun)
    if REUSE_STORE and reports.stored_events():
        store.add(
            "store kept from an earlier run (BENCH_REPORT_REUSE=1)",
            f"{reports.stored_events():,} events",
        )
        if not reports.rollups_ready():
            _phase("rebuilding the rollups", begun)
            folded, seconds = reports.build_rollups()
            store.add(
                f"rollups rebuilt from {folded:,} applied events", f"{seconds:.0f} s"
            )
    else:
        database.reset_tables()
        customers, seconds = reports.build_store(REPORT_EVENTS)
        store.add(
            f"store built with generate_series: {REPORT_EVENTS:,} events, "
            f"{customers:,} customers",
            f"{seconds:.0f} s",
        )
        _phase("rebuilding the rollups", begun)
        folded, seconds = reports.build_rollups()
        store.add(f"rollups rebuilt from {folded:,} applied events", f"{seconds:.0f} s")
    _phase("timing the reports", begun)
    plans = reports.run(store, runs=REPORT_RUNS, naive_runs=NAIVE_RUNS)
    _phase("draining new events into the store", begun)
    reports.drain_on_store(store, EVENTS)
    store.note(
        "targets: 30 days under 250 ms median, 365 days under 1 s, same result "
        "as the event log; the drain at least 1,000 events/s"
    )
    print()
    print(store.render())
    print()
    print("Report plans (EXPLAIN ANALYZE, last 365 days):")
    for plan in plans:
        print(plan)
        print()
    print(f"Before: {load_before}")
    print(f"After:  {_load()}")
    print(f"Benchmark took {time.perf_counter() - begun:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
