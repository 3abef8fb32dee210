"""A journey hook inside Saleor spends one statement: the event's INSERT."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from saleor.checkout.models import Checkout
from saleor.plugins.manager import get_plugins_manager

from saleor_journey_plugin.models import JourneyEvent

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
