"""A failing plugin, database or broker never breaks Saleor's checkout."""

import logging
import time

import pytest
from django.db import connection
from django.utils import timezone
from saleor.order.models import Order

from saleor_journey_plugin.models import Journey, JourneyEvent
from saleor_journey_plugin.publishing import publisher
from saleor_journey_plugin.tasks import process_pending_events


def test_missing_event_table_never_breaks_checkout(
    journey_active,
    channel_USD,
    customer_user,
    user_api_client,
    ready_checkout,
    complete_checkout,
    caplog,
):
    # given the plugin active, and its event log table gone (a real database
    # error on every INSERT; DDL is rolled back with the test's transaction)
    checkout = ready_checkout(user=customer_user)
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE journey_event RENAME TO journey_event_gone")
    caplog.set_level(logging.ERROR, logger="saleor_journey_plugin")

    # when the customer completes the checkout
    data, order = complete_checkout(user_api_client, checkout)

    # then Saleor answered with the order and no errors, the order is saved and
    # the checkout consumed; our failure was only logged
    assert data["order"]["status"] == "UNFULFILLED"
    assert Order.objects.filter(pk=order.pk, user=customer_user).exists()
    assert not type(checkout).objects.filter(pk=checkout.pk).exists()
    assert "Journey events not recorded" in caplog.text
    assert 'relation "journey_event" does not exist' in caplog.text
    assert not Journey.objects.exists()

    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE journey_event_gone RENAME TO journey_event")


def test_failed_processing_is_kept_for_the_relay(
    journey_active,
    channel_USD,
    customer_user,
    user_api_client,
    ready_checkout,
    complete_checkout,
    settings,
    django_capture_on_commit_callbacks,
):
    # given the journey table unavailable while events can still be logged
    checkout = ready_checkout(user=customer_user)
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE journey_journey RENAME TO journey_journey_gone")

    # when the customer completes the checkout
    data, order = complete_checkout(user_api_client, checkout)

    # then the order is fine and both facts (written together by order_created,
    # the order being paid) wait in the log with their error and a retry time
    assert data["order"]["status"] == "UNFULFILLED"
    events = list(
        JourneyEvent.objects.filter(payload__order_id=str(order.pk)).order_by("id")
    )
    assert [(e.type, e.processed_at, e.attempts) for e in events] == [
        ("ORDER_PLACED", None, 1),
        ("ORDER_PAID", None, 1),
    ]
    assert all('"journey_journey" does not exist' in e.last_error for e in events)
    assert all(e.retry_after > timezone.now() for e in events)

    # when the table is back, the retry time comes and the periodic task runs
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE journey_journey_gone RENAME TO journey_journey")
    JourneyEvent.objects.update(retry_after=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        processed = process_pending_events.apply().get()

    # then the customer catches up (the fixture's account creation too):
    # PURCHASE with one paid order
    assert processed == 3
    journey = Journey.objects.get(customer__user_id=str(customer_user.pk))
    assert (journey.stage, journey.paid_orders) == ("PURCHASE", 1)
    customer_user.refresh_from_db()
    assert customer_user.metadata["journey_stage"] == "purchase"


class _BrokerDown:
    """Saleor's Celery app, not eager, pointed at a port where no broker listens.

    Saleor's app reads Django settings with the CELERY namespace, so the
    prefixed keys are the ones its conf answers with.
    """

    KEYS = ("CELERY_TASK_ALWAYS_EAGER", "CELERY_BROKER_URL")

    def __init__(self):
        self.conf = process_pending_events.app.conf
        self.saved = {key: self.conf.get(key) for key in self.KEYS}
        self.conf["CELERY_TASK_ALWAYS_EAGER"] = False
        self.conf["CELERY_BROKER_URL"] = "redis://127.0.0.1:1/0"
        assert self.conf.task_always_eager is False
        publisher.reset()

    def restore(self):
        for key, value in self.saved.items():
            self.conf[key] = value
        assert self.conf.task_always_eager is True
        publisher.reset()


@pytest.fixture
def broker_down():
    down = _BrokerDown()
    yield down
    down.restore()


def test_broker_down_neither_fails_nor_stalls_checkout(
    journey_active,
    channel_USD,
    customer_user,
    user_api_client,
    ready_checkout,
    complete_checkout,
    broker_down,
    django_capture_on_commit_callbacks,
):
    # given no reachable broker
    checkout = ready_checkout(user=customer_user)

    # when the customer completes the checkout
    started = time.monotonic()
    data, order = complete_checkout(user_api_client, checkout)
    elapsed = time.monotonic() - started

    # then the order is placed promptly, and the facts wait in the log
    assert data["order"]["status"] == "UNFULFILLED"
    assert elapsed < 5
    assert sorted(
        (e.type, e.processed_at, e.attempts)
        for e in JourneyEvent.objects.filter(payload__order_id=str(order.pk))
    ) == [("ORDER_PAID", None, 0), ("ORDER_PLACED", None, 0)]
    assert not Journey.objects.exists()

    # when the broker is back and beat runs the periodic task
    broker_down.restore()
    with django_capture_on_commit_callbacks(execute=True):
        process_pending_events.apply()

    # then the customer catches up
    journey = Journey.objects.get(customer__user_id=str(customer_user.pk))
    assert (journey.stage, journey.paid_orders) == ("PURCHASE", 1)
