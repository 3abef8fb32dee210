"""Hand-off to Celery: the hook pays one INSERT, the relay's thread publishes
one task per burst, a dead broker loses nothing and the periodic task catches
up."""

import json
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from example_store.celery import app as celery_app
from saleor_journey_plugin import service
from saleor_journey_plugin.core.abandonment import record_abandonments
from saleor_journey_plugin.core.events import EventType, JourneyEventData
from saleor_journey_plugin.core.processing import MAX_ATTEMPTS, process_event
from saleor_journey_plugin.core.recording import stored_key
from saleor_journey_plugin.models import Journey, JourneyEvent, ProcessingRequest
from saleor_journey_plugin.publishing import publisher
from saleor_journey_plugin.relay import relay
from saleor_journey_plugin.tasks import (
    BEAT_SCHEDULE,
    detect_lapsed_customers,
    process_pending_events,
)
from saleor_journey_plugin.wakeup import DRAIN_TASK, SPACING_SECONDS

from .conftest import CHANNEL, T0

CLOSED_PORT_BROKER = "redis://127.0.0.1:9/0"


@pytest.fixture
def dead_broker():
    live = celery_app.conf.broker_url
    celery_app.conf.broker_url = CLOSED_PORT_BROKER
    publisher.reset()
    yield
    celery_app.conf.broker_url = live
    publisher.reset()


def order_placed(key="order:1:placed", email="e@example.com"):
    return JourneyEventData(
        type=EventType.ORDER_PLACED,
        idempotency_key=key,
        occurred_at=T0,
        channel=CHANNEL,
        email=email,
    )


def _waiting_messages() -> int:
    with celery_app.connection_for_read() as connection:
        return connection.default_channel.client.llen("celery")


def _flag() -> tuple[bool, object] | None:
    row = ProcessingRequest.objects.filter(pk=1).values_list("requested", "taken_at")
    return row.first()


@pytest.fixture
def quiet_relay(transactional_db):
    """An empty queue on the real broker, no request pending, the relay idle.

    Transactional: the relay's thread has its own connection, which sees
    only what was committed.
    """
    celery_app.control.purge()
    publisher.reset()
    ProcessingRequest.objects.all().delete()
    yield
    assert relay.wait_idle()
    celery_app.control.purge()


@pytest.mark.django_db(transaction=True)
def test_the_recording_thread_spends_one_statement_and_the_relay_publishes(
    quiet_relay,
):
    # when: a hook records a checkout's three milestones (autocommit, as
    # Saleor calls hooks after its commit)
    with CaptureQueriesContext(connection) as queries:
        ids = service.record_all_and_wake(
            [order_placed(key=f"order:{n}:placed") for n in range(3)]
        )

    # then: the hook's thread ran the INSERT and nothing else
    assert [query["sql"].split(" ", 3)[:3] for query in queries] == [
        ["INSERT", "INTO", "journey_event"]
    ]
    assert None not in ids

    # and the relay's thread, on its own, published one task to start at once
    assert relay.wait_idle()
    assert _waiting_messages() == 1
    assert _flag() == (True, None)
    assert process_pending_events.apply().get() == 3
    requested, taken_at = _flag()
    assert requested is False and taken_at is not None


def in_four_threads(record: Callable[[int], None], count: int = 200) -> None:
    """``record(n)`` for n in range(count), shared by four store threads
    running at once, each with its own connection."""

    def share(numbers: range) -> None:
        for n in numbers:
            record(n)
        connection.close()

    threads = [
        threading.Thread(target=share, args=(range(k, count, 4),)) for k in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


@pytest.mark.django_db(transaction=True)
def test_a_burst_from_many_threads_publishes_one_task(quiet_relay):
    # when: four store threads record 200 events between them
    in_four_threads(
        lambda n: service.record_and_wake(order_placed(key=f"order:{n}:placed"))
    )

    # then: one message on the broker, and it applies all 200
    assert relay.wait_idle()
    assert _waiting_messages() == 1
    assert process_pending_events.apply().get() == 200


@pytest.mark.django_db(transaction=True)
def test_a_task_just_taken_spaces_out_the_next_one(quiet_relay):
    # given: a drain task started a moment ago
    process_pending_events.apply()

    # when: a new event arrives
    service.record_and_wake(order_placed())

    # then: the next task is published to start SPACING_SECONDS after the last
    assert relay.wait_idle()
    with celery_app.connection_for_read() as broker:
        body = broker.default_channel.client.lrange("celery", 0, -1)
    assert len(body) == 1
    headers = json.loads(body[0])["headers"]
    eta = datetime.fromisoformat(headers["eta"])
    _, taken_at = _flag()
    assert headers["task"] == DRAIN_TASK
    assert (
        timedelta(seconds=SPACING_SECONDS - 0.05)
        < eta - taken_at
        <= timedelta(seconds=SPACING_SECONDS + 0.05)
    )


@pytest.mark.django_db(transaction=True)
def test_broker_down_at_hook_time_keeps_the_event_for_the_periodic_task(
    quiet_relay, dead_broker
):
    # when: a hook records while the broker refuses connections
    started = time.monotonic()
    event_id = service.record_and_wake(order_placed())
    recording = time.monotonic() - started

    # then: the hook did not wait on the broker; the relay gave up, withdrew
    # its request (the next event tries again) and the event waits unprocessed
    assert recording < 0.5
    assert relay.wait_idle()
    assert _flag() == (False, None)
    event = JourneyEvent.objects.get(pk=event_id)
    assert event.processed_at is None
    assert Journey.objects.count() == 0

    # when: the periodic task runs
    processed = process_pending_events.apply().get()

    # then
    assert processed == 1
    assert Journey.objects.get().stage == "PURCHASE"
    assert process_pending_events.apply().get() == 0


def test_a_failing_event_keeps_its_error_and_does_not_block_the_others(db):
    # given: a row no engine version knows how to apply, then a good event
    bad = JourneyEvent.objects.create(
        idempotency_key="bad:1",
        type="FROM_A_NEWER_VERSION",
        occurred_at=T0,
        email="x@example.com",
    )
    service.record_and_wake(order_placed())

    # when
    first = process_pending_events.apply().get()
    again_at_once = process_pending_events.apply().get()

    # then: the good one went through, the bad one waits a minute before a retry
    bad.refresh_from_db()
    assert (first, again_at_once) == (1, 0)
    assert Journey.objects.get().stage == "PURCHASE"
    assert bad.processed_at is None
    assert bad.attempts == 1
    assert "FROM_A_NEWER_VERSION" in bad.last_error
    wait = bad.retry_after - timezone.now()
    assert timedelta(seconds=50) < wait <= timedelta(minutes=1)


def test_a_failing_event_backs_off_and_gives_up_after_the_last_attempt(db):
    # given
    bad = JourneyEvent.objects.create(
        idempotency_key="bad:1", type="FROM_A_NEWER_VERSION", occurred_at=T0
    )
    waits = []

    # when: each retry comes due (time passes) and fails again
    for _ in range(MAX_ATTEMPTS + 1):
        process_pending_events.apply().get()
        bad.refresh_from_db()
        waits.append(round((bad.retry_after - timezone.now()).total_seconds() / 60))
        JourneyEvent.objects.filter(pk=bad.pk).update(retry_after=timezone.now())

    # then: 1, 2, 4 ... minutes apart, then no more attempts
    assert bad.attempts == MAX_ATTEMPTS
    assert waits[:MAX_ATTEMPTS] == [2**n for n in range(MAX_ATTEMPTS)]
    assert bad.processed_at is None


def test_lapse_task_is_idempotent(db, store):
    # given: a purchase long ago
    store.event(EventType.ORDER_PAID, "order:1:paid", email="old@example.com")
    Journey.objects.update(lapse_clock_from=timezone.now() - timedelta(days=120))

    # when
    first = detect_lapsed_customers.apply().get()
    second = detect_lapsed_customers.apply().get()

    # then
    assert (first, second) == (1, 0)
    assert Journey.objects.get().stage == "LAPSED"


def test_periodic_tasks_join_the_apps_beat_schedule():
    schedule = celery_app.conf.beat_schedule

    for name, entry in BEAT_SCHEDULE.items():
        assert schedule[name]["task"] == entry["task"]
    assert set(celery_app.tasks) >= {entry["task"] for entry in BEAT_SCHEDULE.values()}


def test_idle_checkout_without_an_order_becomes_one_abandonment(db, store):
    # given: two checkouts, one completed into an order
    who = {"email": "cart@example.com"}
    store.event(
        EventType.CHECKOUT_STARTED,
        "checkout:a:started",
        **who,
        payload={"checkout": "a"},
    )
    store.event(
        EventType.CHECKOUT_DETAILS_ADDED,
        "checkout:a:details",
        **who,
        payload={"checkout": "a"},
    )
    store.event(
        EventType.CHECKOUT_STARTED,
        "checkout:b:started",
        **who,
        payload={"checkout": "b"},
    )
    store.event(
        EventType.ORDER_PLACED, "order:1:placed", **who, payload={"checkout": "b"}
    )

    # when: well past the 24-hour limit, twice
    first = record_abandonments(now=store.clock + timedelta(hours=25))
    second = record_abandonments(now=store.clock + timedelta(hours=26))
    for event_id in first:
        process_event(event_id)

    # then
    assert len(first) == 1
    assert second == []
    abandoned = JourneyEvent.objects.get(type="CHECKOUT_ABANDONED")
    assert abandoned.idempotency_key == stored_key("checkout:a:abandoned")
    assert abandoned.payload == {"checkout": "a"}
    assert abandoned.stage == "PURCHASE"
    assert Journey.objects.get().stage == "PURCHASE"


def test_recently_active_checkout_is_not_abandoned(db, store):
    # given
    store.event(
        EventType.CHECKOUT_STARTED,
        "checkout:c:started",
        email="x@example.com",
        payload={"checkout": "c"},
    )

    # when
    recorded = record_abandonments(now=store.clock + timedelta(hours=23))

    # then
    assert recorded == []


def test_events_after_a_failed_batch_are_applied_from_a_clean_slate(db, store):
    # given: a new guest's order, then a review whose rating cannot be read,
    # so the batch fails after it has created the guest's customer record
    store.event(
        EventType.ORDER_PLACED, "order:1:placed", email="new@example.com", process=False
    )
    store.event(
        EventType.REVIEW_SUBMITTED,
        "review:1",
        email="other@example.com",
        payload={"rating": "five"},
        process=False,
    )

    # when
    processed = process_pending_events.apply().get()

    # then: the order still applies, alone; only the review waits with its error
    assert processed == 1
    journey = Journey.objects.get()
    assert (journey.customer.email, journey.stage) == ("new@example.com", "PURCHASE")
    review = JourneyEvent.objects.get(idempotency_key=stored_key("review:1"))
    assert review.processed_at is None
    assert "five" in review.last_error


def test_a_failing_drain_without_broker_does_not_stop_the_stores_other_commit_callbacks(
    db, django_capture_on_commit_callbacks
):
    # given: eager Celery (no broker: the drain runs on commit), the flag
    # table gone (a real database error), and the store's own callback after
    # ours in the same transaction
    from django.db import transaction

    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE journey_processing_request RENAME TO gone")
    after_ours = []
    celery_app.conf.task_always_eager = True

    # when
    try:
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            event_id = service.record_and_wake(order_placed())
            transaction.on_commit(lambda: after_ours.append("sent"))
    finally:
        celery_app.conf.task_always_eager = False

    # then
    assert after_ours == ["sent"]
    assert JourneyEvent.objects.filter(pk=event_id, processed_at__isnull=True).exists()


def test_without_broker_events_are_applied_once_the_transaction_commits(
    db, django_capture_on_commit_callbacks
):
    # given: eager Celery (the example store's demo)
    celery_app.conf.task_always_eager = True

    # when
    try:
        with django_capture_on_commit_callbacks(execute=True):
            service.record_and_wake(order_placed())
    finally:
        celery_app.conf.task_always_eager = False

    # then
    assert Journey.objects.get().stage == "PURCHASE"


def test_without_broker_a_transactions_events_are_drained_once(
    db, django_capture_on_commit_callbacks, monkeypatch
):
    # given: eager Celery, and three recordings in one transaction, one of
    # them inside a savepoint that commits
    from django.db import transaction

    from saleor_journey_plugin import service as recording_service

    drains = []
    monkeypatch.setattr(
        recording_service, "drain_after_commit", lambda: drains.append("drain")
    )
    celery_app.conf.task_always_eager = True

    # when
    try:
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            service.record_and_wake(order_placed(key="order:1:placed"))
            with transaction.atomic():
                service.record_and_wake(order_placed(key="order:2:placed"))
            service.record_and_wake(order_placed(key="order:3:placed"))
    finally:
        celery_app.conf.task_always_eager = False

    # then: one drain for the three
    assert drains == ["drain"]


def test_a_wake_up_registered_in_a_rolled_back_savepoint_still_comes(
    db, django_capture_on_commit_callbacks, monkeypatch
):
    # given: the first recording's savepoint is rolled back
    from django.db import transaction

    from saleor_journey_plugin import service as recording_service

    drains = []
    monkeypatch.setattr(
        recording_service, "drain_after_commit", lambda: drains.append("drain")
    )
    celery_app.conf.task_always_eager = True

    # when
    try:
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            try:
                with transaction.atomic():
                    service.record_and_wake(order_placed(key="order:1:placed"))
                    raise RuntimeError("rolled back")
            except RuntimeError:
                pass
            service.record_and_wake(order_placed(key="order:2:placed"))
    finally:
        celery_app.conf.task_always_eager = False

    # then: the event outside the savepoint still gets its drain
    assert drains == ["drain"]
