"""``journey_backfill`` in a real Saleor: the history gives what the live hooks give."""

import io

import graphene
from django.core.management import call_command
from django.db.models import Q
from saleor.graphql.tests.fixtures import ApiClient
from saleor.graphql.tests.utils import get_graphql_content
from test_saleor_journey import _fulfil_everything

from saleor_journey_plugin.models import (
    Customer,
    Journey,
    JourneyEvent,
    StageTransition,
)
from saleor_journey_plugin.saleor_adapter.host import SaleorHost

ORDER_REFUND = """
mutation Refund($id: ID!, $amount: PositiveDecimal!) {
  orderRefund(id: $id, amount: $amount) { errors { field code message } }
}
"""
ORDER_CANCEL = """
mutation Cancel($id: ID!) {
  orderCancel(id: $id) { order { status } errors { field code message } }
}
"""


def _order_id(order):
    return graphene.Node.to_global_id("Order", order.pk)


def _shop(
    who,
    staff_api_client,
    warehouse,
    ready_checkout,
    complete_checkout,
    capture,
):
    """A customer's history in Saleor: two paid orders (the first fulfilled)
    for an account, and a guest's order refunded in full, then cancelled."""
    user, guest = who
    client = ApiClient(user=user)
    with capture(execute=True):
        _, first = complete_checkout(client, ready_checkout(user=user))
    with capture(execute=True):
        assert _fulfil_everything(staff_api_client, first, warehouse)["errors"] == []
    with capture(execute=True):
        complete_checkout(client, ready_checkout(user=user))
    with capture(execute=True):
        _, refunded = complete_checkout(ApiClient(), ready_checkout(email=guest))
    with capture(execute=True):
        response = staff_api_client.post_graphql(
            ORDER_REFUND,
            {"id": _order_id(refunded), "amount": refunded.total_gross_amount},
        )
    assert get_graphql_content(response)["data"]["orderRefund"]["errors"] == []
    with capture(execute=True):
        response = staff_api_client.post_graphql(
            ORDER_CANCEL, {"id": _order_id(refunded)}
        )
    assert get_graphql_content(response)["data"]["orderCancel"]["errors"] == []


def _journey(**who):
    """A customer's journey as readers see it (times aside: the hooks say
    "now", the backfill the time Saleor logged, a few milliseconds apart)."""
    customer = Customer.objects.get(**who)
    journey = Journey.objects.get(customer=customer)
    return {
        "stage": journey.stage,
        "paid_orders": journey.paid_orders,
        "history": list(
            StageTransition.objects.filter(journey=journey)
            .order_by("occurred_at", "id")
            .values_list("from_stage", "to_stage", "event__type", "win_back")
        ),
        # The account as it is now (ACCOUNT_UPDATED) is dated by Saleor's last
        # save of it, which the live run and the backfill see at other times.
        "touchpoints": list(
            JourneyEvent.objects.filter(customer=customer)
            .exclude(type="ACCOUNT_UPDATED")
            .order_by("occurred_at", "id")
            .values_list("type", "stage", "touch_channel")
        ),
    }


def _forget(user, *emails):
    """The log as a store that installs the plugin now has it: nothing of them."""
    emails = [user.email, *emails]
    JourneyEvent.objects.filter(Q(user_id=str(user.pk)) | Q(email__in=emails)).delete()
    Customer.objects.filter(Q(user_id=str(user.pk)) | Q(email__in=emails)).delete()


def _backfill(*args):
    out = io.StringIO()
    call_command("journey_backfill", *args, stdout=out)
    return out.getvalue()


def _totals(output):
    """(new, already there) from the summary's total line."""
    line = next(line for line in output.splitlines() if line.split()[:1] == ["total"])
    return tuple(int(n) for n in line.split()[1:])


def test_backfill_of_orders_placed_before_the_plugin_matches_the_live_hooks(
    journey_config,
    channel_USD,
    staff_api_client,
    staff_user,
    permission_group_manage_orders,
    warehouse,
    ready_checkout,
    complete_checkout,
    customer_user,
    customer_user2,
    django_capture_on_commit_callbacks,
):
    permission_group_manage_orders.user_set.add(staff_user)
    capture = django_capture_on_commit_callbacks
    before, live = customer_user, customer_user2
    shop = (staff_api_client, warehouse, ready_checkout, complete_checkout, capture)

    # given a customer's history from before the plugin was active (no hooks
    # ran; the account signal did, so their events go, as a fresh install has)
    journey_config(channel_USD, active=False)
    _shop((before, "guest-before@example.com"), *shop)
    _forget(before, "guest-before@example.com")

    # and the same history again with the plugin active: the live hooks' result
    journey_config(channel_USD)
    _shop((live, "guest-live@example.com"), *shop)
    live_events = JourneyEvent.objects.count()

    # when the backfill runs
    with capture(execute=True):
        output = _backfill()

    # then the past customers have the journeys the live ones have
    assert _journey(user_id=str(before.pk)) == _journey(user_id=str(live.pk))
    assert _journey(email="guest-before@example.com") == _journey(
        email="guest-live@example.com"
    )
    account = _journey(user_id=str(before.pk))
    assert (account["stage"], account["paid_orders"]) == ("LOYALTY", 2)
    assert [h[:3] for h in account["history"]] == [
        (None, "AWARENESS", "ACCOUNT_CREATED"),
        ("AWARENESS", "PURCHASE", "ORDER_PLACED"),
        ("PURCHASE", "RETENTION", "ORDER_FULFILLED"),
        ("RETENTION", "LOYALTY", "ORDER_PAID"),
    ]
    guest = _journey(email="guest-before@example.com")
    assert [t[0] for t in guest["touchpoints"]] == [
        "ORDER_PLACED",
        "ORDER_PAID",
        "ORDER_REFUNDED",
        "ORDER_CANCELLED",
    ]
    # and the Saleor user is tagged as the live one is
    before.refresh_from_db()
    live.refresh_from_db()
    assert before.metadata["journey_stage"] == live.metadata["journey_stage"]

    # and everything the live hooks logged was found already there; staff
    # accounts are not customers
    new, existing = _totals(output)
    assert existing == live_events
    assert new == JourneyEvent.objects.count() - live_events
    assert not Customer.objects.filter(user_id=str(staff_user.pk)).exists()
    assert "Journeys rebuilt in time order" in output

    # when it runs again
    snapshot = list(StageTransition.objects.order_by("pk").values_list())
    again = _backfill()

    # then it records and changes nothing
    assert _totals(again) == (0, JourneyEvent.objects.count())
    assert "Journeys rebuilt in time order: 0" in again
    assert list(StageTransition.objects.order_by("pk").values_list()) == snapshot


def test_an_older_order_backfilled_after_a_live_one_is_put_in_time_order(
    journey_config,
    channel_USD,
    customer_user,
    user_api_client,
    ready_checkout,
    complete_checkout,
    django_capture_on_commit_callbacks,
):
    capture = django_capture_on_commit_callbacks
    # given an order placed (and paid) before the plugin was active
    journey_config(channel_USD, active=False)
    with capture(execute=True):
        complete_checkout(user_api_client, ready_checkout(user=customer_user))
    _forget(customer_user)

    # and, the plugin active, a second order the live hooks process at once
    journey_config(channel_USD)
    with capture(execute=True):
        complete_checkout(user_api_client, ready_checkout(user=customer_user))
    assert [h[:3] for h in _journey(user_id=str(customer_user.pk))["history"]] == [
        (None, "PURCHASE", "ORDER_PLACED")
    ]

    # when the backfill brings the account and the older order
    with capture(execute=True):
        output = _backfill("--channel", channel_USD.slug)

    # then the journey is the one the events give in time order
    journey = _journey(user_id=str(customer_user.pk))
    assert (journey["stage"], journey["paid_orders"]) == ("LOYALTY", 2)
    assert [h[:3] for h in journey["history"]] == [
        (None, "AWARENESS", "ACCOUNT_CREATED"),
        ("AWARENESS", "PURCHASE", "ORDER_PLACED"),
        ("PURCHASE", "LOYALTY", "ORDER_PAID"),
    ]
    assert "Journeys rebuilt in time order: 1" in output


def test_drafts_and_inactive_channels_are_not_backfilled(
    journey_config,
    channel_USD,
    channel_PLN,
    draft_order,
    order_with_lines,
    customer_user,
):
    # given the plugin active in channel_USD only, a draft there, and an order
    # in channel_PLN where the journey is off
    journey_config(channel_USD)
    order_with_lines.channel = channel_PLN
    order_with_lines.save(update_fields=["channel"])
    JourneyEvent.objects.all().delete()

    # when the history is read
    events = list(SaleorHost().history(None, None))

    # then it holds the customer's account (created, and as it is now) and
    # nothing of either order
    assert [(e.type.value, e.idempotency_key) for e in events] == [
        ("ACCOUNT_CREATED", f"user:{customer_user.pk}:created"),
        (
            "ACCOUNT_UPDATED",
            f"user:{customer_user.pk}:updated:state:{customer_user.email}:"
            "True:backfill",
        ),
    ]
    assert draft_order.status == "draft"
