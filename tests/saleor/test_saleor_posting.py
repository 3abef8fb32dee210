"""As in a deployed Saleor (Celery not eager, hooks after Saleor's commit),
``checkoutComplete``'s hook posts the order's facts on the plugin's line: the
request runs no statement of ours, and the facts are stored once and applied."""

import pytest
from app_service import SALEOR_BROKER_URL
from django.db import connection
from not_eager import not_eager
from saleor.plugins.manager import get_plugins_manager

from saleor_journey_plugin.models import Journey, JourneyEvent
from saleor_journey_plugin.posting import poster
from saleor_journey_plugin.relay import relay
from saleor_journey_plugin.tasks import process_pending_events

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def deployed_celery():
    with not_eager(SALEOR_BROKER_URL) as app:
        yield app


def _our_statements(run):
    """Run ``run()``; the statements it sent to the journey's tables on the
    request's own connection."""
    ours = []

    def watch(execute, sql, params, many, context):
        if "journey_" in sql:
            ours.append(sql.split(None, 3)[:3])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        result = run()
    return result, ours


def test_checkout_complete_posts_the_orders_facts_and_they_are_applied(
    journey_active, ready_checkout, complete_checkout, api_client, deployed_celery
):
    # given: a first guest order, recorded the usual way (no line was open);
    # the relay then opens one
    first = ready_checkout(email="first@example.com")
    (_, order), statements = _our_statements(
        lambda: complete_checkout(api_client, first)
    )
    assert statements == [["INSERT", "INTO", "journey_event"]]
    assert relay.wait_idle()
    assert poster.free_lines == 1

    # when: a second guest completes a checkout
    second = ready_checkout(email="second@example.com")
    (_, order), statements = _our_statements(
        lambda: complete_checkout(api_client, second)
    )

    # then: the request ran no statement of ours; once the relay read the
    # answer, the order's two facts are stored, once each
    assert statements == []
    assert relay.wait_idle()
    assert not poster.in_flight
    facts = JourneyEvent.objects.filter(payload__order_id=str(order.pk))
    assert sorted(facts.values_list("type", "email")) == [
        ("ORDER_PAID", "second@example.com"),
        ("ORDER_PLACED", "second@example.com"),
    ]

    # when: Saleor delivers the order's hooks again, in another request (a
    # new plugin instance, which remembers nothing of the first)
    manager = get_plugins_manager(allow_replica=False)
    manager.order_created(order)
    manager.order_fully_paid(order)

    # then: still those two facts
    assert relay.wait_idle()
    assert facts.count() == 2

    # and the drain the relay asked for applies them, the order paid once
    assert process_pending_events.apply().get() == 4
    journey = Journey.objects.get(customer__email="second@example.com")
    assert (journey.stage, journey.paid_orders) == ("PURCHASE", 1)
