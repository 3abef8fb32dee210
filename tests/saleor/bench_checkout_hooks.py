"""Benchmark: what the plugin costs inside Saleor's checkoutComplete, and how
many drain tasks a steady stream of checkouts makes. Prints figures; asserts
nothing about speed (see benchmarks/README.md).

Inside a real Saleor (its models, plugin manager, checkoutComplete mutation),
with Celery not eager and a real Redis broker, as in production:

1. Guest checkouts (one line, everything on) completed one after the other.
   Every journey hook Saleor calls is timed in-process: wall (perf_counter)
   and CPU (thread_time) around the plugin's method, nothing else added to
   the hook. Its SQL statements are counted in a second, untimed pass of
   COUNTED_CHECKOUTS more checkouts, through an execute wrapper on the
   request's connection and a wrapper of the statements posted on the
   plugin's own lines (``posting``, "INSERT (posted)"): counting adds a frame
   to every statement (and Django's CaptureQueriesContext would also format
   and log each one), so it never runs while hooks are timed. Broker
   publishes from the request's thread are counted in both passes (a flag
   read in the publisher, outside the timed call).
2. A Celery worker (in-process thread, Saleor's app) drains while guest
   checkouts complete back to back for STREAM_SECONDS; drain tasks counted.

Run from the repository root with Saleor's virtualenv:

  PYTHONPATH=$PWD DATABASE_URL=postgres://postgres@127.0.0.1:5432/saleor \\
  BENCH_BROKER_URL=redis://127.0.0.1:6379/3 \\
    <saleor-venv>/bin/python -m pytest -c tests/saleor/pytest.ini \\
    --rootdir tests/saleor tests/saleor/bench_checkout_hooks.py \\
    -p no:cacheprovider --reuse-db -s
"""

import os
import statistics
import threading
import time
from collections import Counter, defaultdict
from unittest import mock

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_prerun
from django.db import connection
from not_eager import not_eager

from saleor_journey_plugin.plugin import JourneyPlugin
from saleor_journey_plugin.posting import poster
from saleor_journey_plugin.publishing import publisher
from saleor_journey_plugin.wakeup import DRAIN_TASK

CHECKOUTS = int(os.environ.get("BENCH_CHECKOUTS", "100"))
COUNTED_CHECKOUTS = int(os.environ.get("BENCH_COUNTED_CHECKOUTS", "20"))
STREAM_SECONDS = float(os.environ.get("BENCH_STREAM_SECONDS", "20"))
BROKER = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/3")
HOOKS = (
    "checkout_created",
    "checkout_updated",
    "checkout_fully_paid",
    "order_created",
    "order_fully_paid",
    "customer_created",
    "customer_updated",
)

pytestmark = pytest.mark.django_db(transaction=True)


class HookMeter:
    """Wraps the plugin's hooks: time per call, or statements per call (never
    both at once: see the module's docstring), and publishes."""

    def __init__(self) -> None:
        self.times: dict[str, list[float]] = defaultdict(list)
        self.cpu: dict[str, list[float]] = defaultdict(list)
        self.statements: dict[str, list[list[str]]] = defaultdict(list)
        self.counting = False
        self.publishes_in_hooks = 0
        self._in_hook = threading.local()

    def install(self, monkeypatch) -> None:
        for name in HOOKS:
            monkeypatch.setattr(JourneyPlugin, name, self._wrap(name))
        send = publisher.send

        def counted_send(*args, **kwargs):
            if getattr(self._in_hook, "active", False):
                self.publishes_in_hooks += 1
            return send(*args, **kwargs)

        monkeypatch.setattr(publisher, "send", counted_send)

    def clear(self) -> None:
        for measured in (self.times, self.cpu, self.statements):
            measured.clear()
        self.publishes_in_hooks = 0

    def _wrap(self, name):
        hook = getattr(JourneyPlugin, name)
        meter = self

        def timed(plugin, *args, **kwargs):
            meter._in_hook.active = True
            try:
                if meter.counting:
                    return meter._counted(name, hook, plugin, *args, **kwargs)
                started, cpu = time.perf_counter(), time.thread_time()
                result = hook(plugin, *args, **kwargs)
                elapsed = time.perf_counter() - started
                meter.cpu[name].append(time.thread_time() - cpu)
                meter.times[name].append(elapsed)
                return result
            finally:
                meter._in_hook.active = False

        return timed

    def _counted(self, name, hook, plugin, *args, **kwargs):
        statements: list[str] = []

        def count(execute, sql, params, many, context):
            statements.append(sql.split(None, 1)[0].upper())
            return execute(sql, params, many, context)

        post = poster.post

        def count_posted(sql, params):
            sent = post(sql, params)
            if sent:
                statements.append(f"{sql.split(None, 1)[0].upper()} (posted)")
            return sent

        with (
            connection.execute_wrapper(count),
            mock.patch.object(poster, "post", count_posted),
        ):
            result = hook(plugin, *args, **kwargs)
        self.statements[name].append(statements)
        return result


@pytest.fixture
def real_broker():
    """Saleor's Celery app, not eager, on the benchmark's Redis."""
    with not_eager(BROKER) as app:
        yield app


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.3f} ms"


def _complete_guests(n, ready_checkout, complete_checkout, api_client, tag):
    from saleor.warehouse.models import Stock

    Stock.objects.update(quantity=10**6)
    took = []
    for i in range(n):
        checkout = ready_checkout(email=f"bench-{tag}-{i}@example.com")
        started = time.perf_counter()
        complete_checkout(api_client, checkout)
        took.append(time.perf_counter() - started)
    return took


def test_plugin_time_and_statements_inside_checkout_complete(
    journey_active,
    ready_checkout,
    complete_checkout,
    api_client,
    real_broker,
    monkeypatch,
):
    meter = HookMeter()
    meter.install(monkeypatch)
    # Warm-up: imports, the plugin manager, the relay's thread.
    _complete_guests(5, ready_checkout, complete_checkout, api_client, "warm")
    meter.clear()

    requests = _complete_guests(
        CHECKOUTS, ready_checkout, complete_checkout, api_client, "run"
    )
    timed_publishes = meter.publishes_in_hooks
    meter.counting = True
    _complete_guests(
        COUNTED_CHECKOUTS, ready_checkout, complete_checkout, api_client, "count"
    )

    load = ", ".join(f"{avg:.2f}" for avg in os.getloadavg())
    print(f"\n== Plugin inside checkoutComplete: {CHECKOUTS} guest checkouts ==")
    print(f"load average before the report: {load} ({os.cpu_count()} CPUs)")
    print(f"checkoutComplete request, whole: median {_ms(statistics.median(requests))}")
    per_request = [0.0] * CHECKOUTS
    cpu_per_request = [0.0] * CHECKOUTS
    for name in sorted(set(meter.times) | set(meter.statements)):
        times = meter.times.get(name, [])
        counted = meter.statements.get(name, [])
        kinds = Counter(kind for statements in counted for kind in statements)
        most = max((len(statements) for statements in counted), default=0)
        timing = (
            f"median {_ms(statistics.median(times))}"
            f"  p90 {_ms(_p90(times))}"
            f"  CPU median {_ms(statistics.median(meter.cpu[name]))}"
            if times
            else "not called while timed"
        )
        print(
            f"{name:<20} calls {len(times):>4}  {timing}"
            f"  statements/call max {most} of {len(counted)} counted ({dict(kinds)})"
        )
        if name in ("order_created", "order_fully_paid", "checkout_fully_paid"):
            # The hooks checkoutComplete itself runs, one each per checkout.
            for i, elapsed in enumerate(times[-CHECKOUTS:]):
                per_request[i] += elapsed
            for i, cpu in enumerate(meter.cpu[name][-CHECKOUTS:]):
                cpu_per_request[i] += cpu
    median = statistics.median(per_request)
    print(
        f"plugin time per checkoutComplete: median {_ms(median)}"
        f"  p10 {_ms(_p10(per_request))}  p90 {_ms(_p90(per_request))}"
    )
    print(
        "plugin CPU (thread time) per checkoutComplete: median "
        f"{_ms(statistics.median(cpu_per_request))}"
    )
    print(
        f"broker publishes from inside hooks: {timed_publishes} timed, "
        f"{meter.publishes_in_hooks} counted"
    )
    print("target: plugin time per checkoutComplete median <= 1 ms, 1 statement/hook")


def _p10(values):
    return statistics.quantiles(values, n=10)[0]


def _p90(values):
    return statistics.quantiles(values, n=10)[-1]


def test_drain_tasks_per_second_under_a_steady_stream(
    journey_active,
    ready_checkout,
    complete_checkout,
    api_client,
    real_broker,
):
    started_tasks = []

    def count(sender=None, **kwargs):
        if sender is not None and sender.name == DRAIN_TASK:
            started_tasks.append(time.monotonic())

    task_prerun.connect(count, weak=False)
    try:
        with start_worker(real_broker, pool="solo", perform_ping_check=False):
            started = time.monotonic()
            n = 0
            while time.monotonic() - started < STREAM_SECONDS:
                _complete_guests(1, ready_checkout, complete_checkout, api_client, n)
                n += 1
            elapsed = time.monotonic() - started
            time.sleep(3)  # the last spaced-out task
    finally:
        task_prerun.disconnect(count)

    during = [at for at in started_tasks if at <= started + elapsed]
    print(f"\n== Drain tasks under a steady stream: {STREAM_SECONDS:.0f} s ==")
    print(f"checkouts completed: {n} ({n / elapsed:.1f}/s, 2 order events each)")
    print(
        f"drain tasks started: {len(during)} ({len(during) / elapsed:.2f}/s); "
        f"{len(started_tasks)} counting the one after the stream"
    )
    print("target: at most 1 drain task per second")
