"""A hook after the store's commit sends its INSERT and returns: the relay's
thread reads the answer, runs again what failed, and wakes the processor."""

import gc
import multiprocessing
import time
import uuid

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from example_store.celery import app as celery_app
from saleor_journey_plugin import posting, service
from saleor_journey_plugin.core.recording import Condition, stored_key
from saleor_journey_plugin.models import JourneyEvent, ProcessingRequest
from saleor_journey_plugin.posting import poster
from saleor_journey_plugin.relay import relay
from saleor_journey_plugin.tasks import process_pending_events

from .test_delivery import _waiting_messages, in_four_threads, order_placed


@pytest.fixture
def quiet_lines(transactional_db):
    """The relay idle, the broker's queue empty, one line open and free."""
    celery_app.control.purge()
    ProcessingRequest.objects.all().delete()
    poster.close_all()
    # No line yet: this hook records the usual way and asks the relay for one.
    service.post_all_and_wake([order_placed(key="order:0:placed")])
    assert relay.wait_idle()
    assert poster.free_lines == 1
    process_pending_events.apply()
    celery_app.control.purge()
    yield
    assert relay.wait_idle()
    poster.close_all()
    celery_app.control.purge()


def _stored_keys() -> int:
    return JourneyEvent.objects.count()


@pytest.mark.django_db(transaction=True)
def test_the_hooks_thread_sends_and_the_relay_stores_and_wakes(quiet_lines):
    # when: a hook outside any transaction records two orders
    with CaptureQueriesContext(connection) as queries:
        service.post_all_and_wake(
            [order_placed(key=f"order:{n}:placed") for n in (1, 2)]
        )

    # then: nothing ran on the request's connection; once the relay read the
    # answer both rows are there and one drain task is on the broker
    assert len(queries) == 0
    assert relay.wait_idle()
    assert not poster.in_flight
    assert _stored_keys() == 3
    assert _waiting_messages() == 1
    assert process_pending_events.apply().get() == 2


@pytest.mark.django_db(transaction=True)
def test_a_replayed_hook_stores_nothing_and_wakes_no_one(quiet_lines):
    # given: an order recorded and applied
    service.post_all_and_wake([order_placed(key="order:1:placed")])
    assert relay.wait_idle()
    assert process_pending_events.apply().get() == 1
    celery_app.control.purge()

    # when: Saleor calls the hook again for the same order
    service.post_all_and_wake([order_placed(key="order:1:placed")])

    # then: still one row for it, and no drain task asked for
    assert relay.wait_idle()
    assert _stored_keys() == 2
    assert _waiting_messages() == 0
    assert ProcessingRequest.objects.get().requested is False


@pytest.mark.django_db(transaction=True)
def test_a_line_the_server_dropped_loses_nothing(quiet_lines):
    # given: the server ended the free line's session (a restart, an idle
    # timeout, a pooler's recycling)
    (backend,) = poster.backend_pids()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [backend])

    # when: a hook records an order
    service.post_all_and_wake([order_placed(key="order:1:placed")])

    # then: the order is stored once and applied; the broken line is gone and
    # a new one is open for the next hook
    assert relay.wait_idle()
    assert JourneyEvent.objects.filter(type="ORDER_PLACED").count() == 2
    assert process_pending_events.apply().get() == 1
    assert backend not in poster.backend_pids()


@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_the_write_is_its_and_rolls_back_with_it(quiet_lines):
    # when: a hook runs inside a transaction that then rolls back
    with pytest.raises(RuntimeError), transaction.atomic():
        service.post_all_and_wake([order_placed(key="order:1:placed")])
        raise RuntimeError("the store's work failed")

    # then: nothing was posted and nothing is stored
    assert relay.wait_idle()
    assert _stored_keys() == 1
    assert poster.free_lines == 1


def _child_drops_what_it_inherited() -> None:
    # What a forked worker does with the parent's objects: let them go.
    gc.collect()


@pytest.mark.django_db(transaction=True)
def test_a_forked_child_leaves_the_parents_line_alone(quiet_lines):
    # given: the line a hook of this process would use
    (backend,) = poster.backend_pids()

    # when: a child forked from this process drops its copies and exits
    child = multiprocessing.get_context("fork").Process(
        target=_child_drops_what_it_inherited
    )
    child.start()
    child.join(10)

    # then: the parent's line still works, the same session as before
    service.post_all_and_wake([order_placed(key="order:1:placed")])
    assert relay.wait_idle()
    assert child.exitcode == 0
    assert poster.backend_pids() == [backend]
    assert _stored_keys() == 2


@pytest.mark.django_db(transaction=True)
def test_hooks_in_many_threads_lose_nothing_and_store_each_fact_once(quiet_lines):
    # when: four store threads record 200 orders between them, each twice
    # (a redelivered hook), more at once than there are lines
    def record_twice(n: int) -> None:
        for _ in range(2):
            service.post_all_and_wake([order_placed(key=f"order:{n + 1}:placed")])

    in_four_threads(record_twice)

    # then: every order once, all applied by the drain the relay asked for
    assert relay.wait_idle()
    assert not poster.in_flight
    assert _stored_keys() == 201
    assert JourneyEvent.objects.values("idempotency_key").distinct().count() == 201
    assert process_pending_events.apply().get() == 200


@pytest.mark.django_db(transaction=True)
def test_an_answer_that_does_not_come_is_run_again_and_stored_once(
    quiet_lines, monkeypatch
):
    # given: another session holds the event log locked, so a posted INSERT
    # gets no answer in time
    monkeypatch.setattr(posting, "ANSWER_SECONDS", 0.5)
    locker = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with locker.cursor() as cursor:
            locker.set_autocommit(False)
            cursor.execute("LOCK TABLE journey_event IN EXCLUSIVE MODE")
        (backend,) = poster.backend_pids()

        # when: a hook records an order; the lock goes after a second
        service.post_all_and_wake([order_placed(key="order:1:placed")])
        time.sleep(1.0)
        locker.commit()
    finally:
        locker.close()

    # then: the relay gave up on that line and ran the INSERT again; the
    # order is stored once, applied, and a new line serves the next hook
    assert relay.wait_idle()
    assert _stored_keys() == 2
    assert process_pending_events.apply().get() == 1
    assert backend not in poster.backend_pids()


@pytest.mark.django_db(transaction=True)
def test_a_posted_insert_asks_its_conditions_itself(quiet_lines):
    # given: two checkout milestones, one whose condition holds (a UUID
    # parameter, as Saleor's checkout ids are) and one whose does not
    checkout = uuid.uuid4()
    holds = Condition("%s::uuid IS NOT NULL", (checkout,))
    fails = Condition("%s::uuid IS NULL", (checkout,))

    # when: a hook posts both
    with CaptureQueriesContext(connection) as queries:
        service.post_all_and_wake(
            [order_placed(key="checkout:a"), order_placed(key="checkout:b")],
            only_if={"checkout:a": holds, "checkout:b": fails},
        )

    # then: posted (nothing ran on the request's connection), and only the
    # first is stored
    assert len(queries) == 0
    assert relay.wait_idle()
    assert _stored_keys() == 2
    assert not JourneyEvent.objects.filter(idempotency_key=stored_key("checkout:b"))
    assert JourneyEvent.objects.filter(idempotency_key=stored_key("checkout:a"))
