"""A journey hook inside Saleor spends one statement: the event's INSERT."""

from collections import defaultdict

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from saleor.checkout.models import Checkout
from saleor.order import OrderChargeStatus
from saleor.plugins.manager import get_plugins_manager

from saleor_journey_plugin.models import JourneyEvent
from saleor_journey_plugin.plugin import JourneyPlugin

INSERT = "INSERT INTO journey_event"

# Inside the test's transaction a hook's failure is contained by a savepoint
# (Saleor calls hooks after its commit, where there is none).
SAVEPOINTS = ("SAVEPOINT", "RELEASE")


def _statements(queries) -> list[str]:
    return [
        " ".join(query["sql"].split()[:3])
        for query in queries
        if not query["sql"].startswith(SAVEPOINTS)
    ]


def _checkout_updated(checkout) -> list[str]:
    manager = get_plugins_manager(allow_replica=False)
    manager.get_plugins(checkout.channel.slug)  # loaded before we count
    with CaptureQueriesContext(connection) as queries:
        manager.checkout_updated(checkout)
    return _statements(queries)


def test_checkout_hooks_spend_one_insert_whatever_they_record(
    journey_active, ready_checkout
):
    # given: a guest checkout with a line, addresses and a delivery
    checkout = ready_checkout(email="guest@example.com")

    # when: Saleor reports it (its three milestones), then a billing change
    first = _checkout_updated(checkout)
    checkout.billing_address = None
    checkout.save(update_fields=["billing_address"])
    again = _checkout_updated(checkout)

    # then: one INSERT each; the first logged the three, the second nothing
    assert first == ["INSERT INTO journey_event"]
    assert again == ["INSERT INTO journey_event"]
    assert sorted(JourneyEvent.objects.values_list("type", flat=True)) == [
        "CHECKOUT_DETAILS_ADDED",
        "CHECKOUT_STARTED",
        "DELIVERY_METHOD_CHOSEN",
    ]


def test_a_checkout_without_a_line_is_not_started(journey_active, ready_checkout):
    # given: a guest checkout whose lines were removed
    checkout = ready_checkout(email="guest@example.com")
    checkout.lines.all().delete()
    checkout = Checkout.objects.get(pk=checkout.pk)

    # when
    statements = _checkout_updated(checkout)

    # then: the same one INSERT, which skipped the started milestone
    assert statements == ["INSERT INTO journey_event"]
    assert sorted(JourneyEvent.objects.values_list("type", flat=True)) == [
        "CHECKOUT_DETAILS_ADDED",
        "DELIVERY_METHOD_CHOSEN",
    ]


def _order_events(order) -> list[str]:
    return list(
        JourneyEvent.objects.filter(payload__order_id=str(order.pk))
        .order_by("id")
        .values_list("type", flat=True)
    )


def test_an_order_placed_paid_is_recorded_paid_by_its_creation(
    journey_active, order_with_lines
):
    # given: an order that is paid in full when Saleor reports it created
    order = order_with_lines
    order.charge_status = OrderChargeStatus.FULL
    order.save(update_fields=["charge_status"])
    manager = get_plugins_manager(allow_replica=False)
    manager.get_plugins(order.channel.slug)

    # when: Saleor calls order_created
    with CaptureQueriesContext(connection) as queries:
        manager.order_created(order)

    # then: its one INSERT wrote both facts
    assert _statements(queries) == [INSERT]
    assert _order_events(order) == ["ORDER_PLACED", "ORDER_PAID"]

    # and when order_fully_paid follows (inside a transaction, as here, where
    # nothing is stored for good before it commits), it spends its own INSERT,
    # which finds the fact there
    with CaptureQueriesContext(connection) as queries:
        manager.order_fully_paid(order)
    assert _statements(queries) == [INSERT]
    assert _order_events(order) == ["ORDER_PLACED", "ORDER_PAID"]


def test_an_order_not_yet_paid_is_only_placed_by_its_creation(
    journey_active, order_with_lines
):
    # given: an order not paid yet
    order = order_with_lines
    assert order.charge_status == OrderChargeStatus.NONE
    manager = get_plugins_manager(allow_replica=False)
    manager.get_plugins(order.channel.slug)

    # when: Saleor reports it created
    with CaptureQueriesContext(connection) as queries:
        manager.order_created(order)

    # then: one INSERT, of the placed fact alone
    assert _statements(queries) == [INSERT]
    assert _order_events(order) == ["ORDER_PLACED"]

    # and when it is paid later, that hook records the payment
    order.charge_status = OrderChargeStatus.FULL
    with CaptureQueriesContext(connection) as queries:
        manager.order_fully_paid(order)
    assert _statements(queries) == [INSERT]
    assert _order_events(order) == ["ORDER_PLACED", "ORDER_PAID"]


@pytest.mark.django_db(transaction=True)
def test_checkout_complete_spends_one_insert_on_the_order(
    journey_active, ready_checkout, complete_checkout, api_client, monkeypatch
):
    # given: every journey hook's own statements recorded, and a guest's
    # checkout paid in full
    statements = defaultdict(list)

    def counted(name):
        hook = getattr(JourneyPlugin, name)

        def run(plugin, *args, **kwargs):
            with CaptureQueriesContext(connection) as queries:
                result = hook(plugin, *args, **kwargs)
            statements[name].append(_statements(queries))
            return result

        return run

    for name in ("order_created", "order_fully_paid"):
        monkeypatch.setattr(JourneyPlugin, name, counted(name))
    checkout = ready_checkout(email="guest@example.com")

    # when: the guest completes it (Saleor calls the order hooks after its
    # commit, each statement then committing as it runs)
    _, order = complete_checkout(api_client, checkout)

    # then: the creation's one INSERT stored both facts (what follows it is
    # the test's eager drain, run on that commit), so the paid hook, in the
    # same request, spent no statement
    [created] = statements["order_created"]
    assert created[0] == INSERT
    assert created.count(INSERT) == 1
    assert statements["order_fully_paid"] == [[]]
    assert _order_events(order) == ["ORDER_PLACED", "ORDER_PAID"]
