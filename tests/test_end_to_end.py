"""A real Celery worker on Redis processing what hooks record, on PostgreSQL."""

import os
import subprocess
import sys
import time

import pytest
from django.db import connection

from example_store.celery import app as celery_app
from saleor_journey_plugin import service
from saleor_journey_plugin.core.events import EventType, JourneyEventData
from saleor_journey_plugin.models import Journey, JourneyEvent, StageTransition
from saleor_journey_plugin.publishing import publisher

from .conftest import CHANNEL, T0

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WAIT_SECONDS = 30


@pytest.fixture
def worker(django_db_blocker):
    """A worker process sharing the test database and the test broker."""
    settings = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": (
            f"postgres://{settings['USER']}@{settings['HOST']}:"
            f"{settings['PORT'] or 5432}"
            f"/{settings['NAME']}"
        ),
    }
    celery_app.control.purge()
    publisher.reset()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "example_store.celery:app",
            "worker",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=WARNING",
        ],
        env=env,
    )
    try:
        _wait_until(lambda: celery_app.control.ping(timeout=0.5), "worker to start")
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_until(condition, what):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"Timed out waiting for {what}")


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
        service.track(delivery)
        _wait_until(_all_processed, "the worker to process the event")

    # then
    journey = Journey.objects.get(customer__user_id="501")
    assert journey.stage == "RETENTION"
    assert journey.paid_orders == 1
    assert list(
        StageTransition.objects.order_by("id").values_list("from_stage", "to_stage")
    ) == [(None, "INTEREST"), ("INTEREST", "PURCHASE"), ("PURCHASE", "RETENTION")]
    assert JourneyEvent.objects.count() == 4
