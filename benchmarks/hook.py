"""What a Saleor hook adds to a request: ``service.track`` in autocommit mode.

In autocommit ``transaction.on_commit`` runs at once, so one call is the
INSERT ... ON CONFLICT into the event log, then ``wake_processor()``: one
upsert of the processing-request flag, and a publish to Redis only when the
upsert set the flag. The variants are interleaved call by call, so that load
from other processes on the machine weighs on all of them alike.
"""

import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial

from saleor_journey_plugin import service
from saleor_journey_plugin.core.events import EventType, JourneyEventData
from saleor_journey_plugin.core.recording import record_event

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
        cpu, wall = time.process_time_ns(), time.perf_counter_ns()
        result = call()
        self.wall.append(time.perf_counter_ns() - wall)
        self.cpu.append(time.process_time_ns() - cpu)
        return result

    def figure(self) -> str:
        cpu = statistics.median(self.cpu) / 1e6
        return f"{latency_ms(self.wall)}  (CPU here {cpu:.3f})"


def run(table: Table, iterations: int = 2000, warmup: int = 200) -> None:
    # Warm-up: the first publish opens the broker connection, the first INSERT
    # the database connection; neither is what a request pays.
    for data in _events("warm", warmup):
        service.take_processing_request()
        service.track(data)

    n = f"(n={iterations})"
    busy = Samples(f"(a) track(), task already pending: INSERT + flag upsert  {n}")
    quiet = Samples(f"(b) track(), quiet store: INSERT + flag upsert + publish  {n}")
    duplicate = Samples(f"track(): duplicate delivery, ON CONFLICT only  {n}")
    insert = Samples(f"record_event(): the INSERT alone  {n}")
    upsert = Samples(f"wake_processor(), flag already set: the upsert alone  {n}")
    for i in range(iterations):
        service.take_processing_request()  # as the task does: the next hook publishes
        quiet.time(partial(service.track, _order_placed(f"order:q-{i}:placed", i)))
        data = _order_placed(f"order:b-{i}:placed", i)
        busy.time(partial(service.track, data))  # the flag is still set
        if duplicate.time(partial(service.track, data)) is not None:
            raise RuntimeError("a duplicate delivery was stored twice")
        insert.time(partial(record_event, _order_placed(f"order:r-{i}:placed", i)))
        upsert.time(service.wake_processor)
    for samples in (busy, quiet, duplicate, insert, upsert):
        table.add(samples.name, samples.figure())
