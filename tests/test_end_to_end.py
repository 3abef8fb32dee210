"""A real Celery worker on Redis processing what hooks record, on PostgreSQL."""

import time
from itertools import pairwise

import pytest

from saleor_journey_plugin import service
from saleor_journey_plugin.core.events import EventType, JourneyEventData
from saleor_journey_plugin.models import (
    Journey,
    JourneyEvent,
    ProcessingRequest,
    StageTransition,
)
from saleor_journey_plugin.wakeup import SPACING_SECONDS

from .celery_worker import running_worker, wait_until
from .conftest import CHANNEL, T0

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(django_db_blocker):
    """A worker process sharing the test database and the test broker."""
    with running_worker() as process:
        yield process


def _all_processed():
    return not JourneyEvent.objects.filter(processed_at__isnull=True).exists()


def event(event_type, key, **fields):
    return JourneyEventData(
        type=event_type, idempotency_key=key, occurred_at=T0, channel=CHANNEL, **fields
    )


def test_worker_moves_a_customer_through_the_funnel_once_per_event(worker):
    # given: what Saleor's hooks report for one customer, the paid hook five times
    who = {"user_id": "501", "email": "e2e@example.com"}
    deliveries = [
        event(EventType.CHECKOUT_STARTED, "checkout:t1:started", **who),
        event(EventType.ORDER_PLACED, "order:1:placed", **who),
        *[event(EventType.ORDER_PAID, "order:1:paid", **who) for _ in range(5)],
        event(EventType.ORDER_FULFILLED, "order:1:fulfilled", **who),
    ]

    # when: each is tracked outside a transaction, as after Saleor's commit
    for delivery in deliveries:
        service.record_and_wake(delivery)
        wait_until(_all_processed, "the worker to process the event")

    # then
    journey = Journey.objects.get(customer__user_id="501")
    assert journey.stage == "RETENTION"
    assert journey.paid_orders == 1
    assert list(
        StageTransition.objects.order_by("id").values_list("from_stage", "to_stage")
    ) == [(None, "INTEREST"), ("INTEREST", "PURCHASE"), ("PURCHASE", "RETENTION")]
    assert JourneyEvent.objects.count() == 4


def test_a_steady_stream_gets_a_drain_task_every_few_seconds(worker):
    # when: 20 checkouts a second reach the log for 6 seconds, while we note
    # each time a drain task takes the request
    taken = set()
    started = time.monotonic()
    n = 0
    while time.monotonic() - started < 6:
        service.record_and_wake(
            event(EventType.ORDER_PLACED, f"order:{n}:placed", email=f"{n}@x.io")
        )
        n += 1
        taken.add(ProcessingRequest.objects.values_list("taken_at", flat=True).first())
        time.sleep(0.05)
    wait_until(_all_processed, "the worker to process the stream")

    # then: every event applied, by tasks SPACING_SECONDS apart (at most one
    # per 2 seconds, not one per event)
    starts = sorted(moment for moment in taken if moment is not None)
    gaps = [(b - a).total_seconds() for a, b in pairwise(starts)]
    assert Journey.objects.filter(stage="PURCHASE").count() == n
    assert n > 100
    assert 2 <= len(starts) <= 6 / SPACING_SECONDS + 1
    assert all(gap >= SPACING_SECONDS - 0.05 for gap in gaps), gaps
