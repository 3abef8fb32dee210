"""A real Celery worker on Redis processing what hooks record, on PostgreSQL."""

import pytest

from saleor_journey_plugin import service
from saleor_journey_plugin.core.events import EventType, JourneyEventData
from saleor_journey_plugin.models import Journey, JourneyEvent, StageTransition

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
