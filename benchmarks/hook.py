"""What a Saleor hook adds to a request: ``service.record_and_wake`` in
autocommit mode.

In autocommit ``transaction.on_commit`` runs at once, so one call is the
INSERT ... ON CONFLICT into the event log, then a poke of the relay's thread,
which checks the processing-request flag and publishes to Redis on its own
connection (timed apart: it is not in the request). The variants are
interleaved call by call, so that load from other processes on the machine
weighs on all of them alike. CPU is the calling thread's.
"""

import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial

from saleor_journey_plugin import service, wakeup
from saleor_journey_plugin.core.events import EventType, JourneyEventData
from saleor_journey_plugin.core.recording import record_event
from saleor_journey_plugin.relay import relay

from .stats import Table, latency_ms


def _order_placed(key: str, number: int) -> JourneyEventData:
    return JourneyEventData(
        type=EventType.ORDER_PLACED,
        idempotency_key=key,
        occurred_at=datetime.now(UTC),
        channel="web-usd",
        user_id=str(10_000 + number % 1000),
        email=f"buyer{number % 1000}@example.com",
        payload={"order_id": f"hook-{number}", "total": "129.90", "currency": "USD"},
    )


def _events(prefix: str, count: int) -> list[JourneyEventData]:
    return [_order_placed(f"order:{prefix}-{i}:placed", i) for i in range(count)]


class Samples:
    def __init__(self, name: str) -> None:
        self.name = name
        self.wall: list[int] = []
        self.cpu: list[int] = []

    def time(self, call: Callable[[], object]) -> object:
        cpu, wall = time.thread_time_ns(), time.perf_counter_ns()
        result = call()
        self.wall.append(time.perf_counter_ns() - wall)
        self.cpu.append(time.thread_time_ns() - cpu)
        return result

    def figure(self) -> str:
        cpu = statistics.median(self.cpu) / 1e6
        return f"{latency_ms(self.wall)}  (CPU here {cpu:.3f})"


def _milestones(i: int) -> list[JourneyEventData]:
    return [
        replace(
            _order_placed(f"checkout:c-{i}:{milestone}", i),
            type=event_type,
            payload={"checkout": f"c-{i}"},
        )
        for event_type, milestone in (
            (EventType.CHECKOUT_STARTED, "started"),
            (EventType.CHECKOUT_DETAILS_ADDED, "details"),
            (EventType.DELIVERY_METHOD_CHOSEN, "delivery"),
        )
    ]


def run(table: Table, iterations: int = 2000, warmup: int = 200) -> None:
    # Warm-up: the first INSERT opens the database connection, the relay's
    # first wake-up its own and the broker's; none is what a request pays.
    for data in _events("warm", warmup):
        service.record_and_wake(data)
    relay.wait_idle()

    n = f"(n={iterations})"
    new = Samples(f"(a) record_and_wake(), new event: INSERT + relay poke  {n}")
    duplicate = Samples(f"record_and_wake(): duplicate, ON CONFLICT only  {n}")
    checkout = Samples(f"record_all_and_wake(): 3 milestones, one INSERT  {n}")
    insert = Samples(f"record_event(): the INSERT alone  {n}")
    relayed = Samples(f"relay's thread: wake_processor(), flag set (off-request) {n}")
    for i in range(iterations):
        data = _order_placed(f"order:b-{i}:placed", i)
        new.time(partial(service.record_and_wake, data))
        if duplicate.time(partial(service.record_and_wake, data)) is not None:
            raise RuntimeError("a duplicate delivery was stored twice")
        checkout.time(partial(service.record_all_and_wake, _milestones(i)))
        insert.time(partial(record_event, _order_placed(f"order:r-{i}:placed", i)))
        relayed.time(wakeup.wake_processor)
    relay.wait_idle()
    for samples in (new, duplicate, checkout, insert, relayed):
        table.add(samples.name, samples.figure())
