"""One drain batch posts many awards, reversals and tier changes at once, with
the results of posting them one at a time."""

from datetime import timedelta
from itertools import permutations

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from example_store.host import issue_token
from example_store.models import Coupon
from saleor_journey_plugin.core.events import EventType as E
from saleor_journey_plugin.core.events import JourneyEventData
from saleor_journey_plugin.core.host import get_host
from saleor_journey_plugin.core.processing import drain
from saleor_journey_plugin.core.recording import record_event
from saleor_journey_plugin.loyalty.models import LedgerEntry, LoyaltyAccount
from saleor_journey_plugin.models import Customer, JourneyEvent

from ..graphql.api import graphql
from .conftest import CHANNEL, entries

pytestmark = pytest.mark.django_db

ANN = {"user_id": "7", "email": "ann@example.com"}
REDEEM = """
mutation($points: Int!) {
  redeemLoyaltyPoints(points: $points) { code balance errors { code } }
}
"""


def record(event_type, key, payload, minutes, who=None):
    return record_event(
        JourneyEventData(
            type=event_type,
            idempotency_key=key,
            # Within the tier window of now, before any redemption made now.
            occurred_at=timezone.now() - timedelta(hours=2, minutes=-minutes),
            channel=CHANNEL,
            payload=payload,
            **(who or ANN),
        )
    )


def paid(order_id, net, minutes, who=None, key=None):
    payload = {"order_id": order_id, "net": net, "total": net, "currency": "USD"}
    key = key or f"order:{order_id}:paid"
    return record(E.ORDER_PAID, key, payload, minutes, who)


def refunded(order_id, total, minutes, so_far=None):
    payload = {"order_id": order_id, "total": total, "currency": "USD"}
    key = f"order:{order_id}:refunded"
    if so_far is not None:
        payload["refunded"] = so_far
        key += f":{so_far}"
    return record(E.ORDER_REFUNDED, key, payload, minutes)


def reviewed(product, minutes):
    payload = {
        "review_id": f"r-{product}",
        "rating": 5,
        "verified": True,
        "purchased_product": product,
    }
    return record(E.REVIEW_SUBMITTED, f"review:{product}", payload, minutes)


def ann():
    return Customer.objects.get(user_id="7")


def test_orders_in_one_batch_earn_at_the_tier_each_reached_and_tell_each_change(
    enabled, monkeypatch, django_capture_on_commit_callbacks
):
    # given: the host told of tier changes; four orders and a review of Ann
    # recorded before any is applied (Bronze x1, Silver 500 x1.25, Gold 1500 x1.5)
    told = []
    monkeypatch.setattr(
        type(get_host()), "tiers_changed", lambda self, changes: told.extend(changes)
    )
    paid("o1", "450.00", 0)
    reviewed("p1", 1)  # 500 earned: Silver from here
    paid("o2", "800.00", 2)  # x1.25 = 1000: 1500 earned, Gold
    paid("o3", "10.00", 3)  # x1.5 = 15
    paid("o1", "450.00", 4, key="backfill:order:o1:paid")  # recorded again

    # when: one drain batch applies them all
    with django_capture_on_commit_callbacks(execute=True):
        applied = drain()

    # then
    assert applied == 5
    assert entries(ann()) == [
        ("earn_order", 450, 450, 0),
        ("earn_review", 50, 50, 0),
        ("earn_order", 1000, 1000, 0),
        ("earn_order", 15, 15, 0),
    ]
    assert list(LoyaltyAccount.objects.values_list("balance", "tier")) == [
        (1515, "Gold")
    ]
    assert told == [
        (ann().pk, CHANNEL, "Bronze"),
        (ann().pk, CHANNEL, "Silver"),
        (ann().pk, CHANNEL, "Gold"),
    ]


PARTS = {
    "paid": lambda minutes: paid("o1", "1000.00", minutes),
    "quarter": lambda minutes: refunded("o1", "1000.00", minutes, so_far="250.00"),
    "full": lambda minutes: refunded("o1", "1000.00", minutes),
}


@pytest.mark.parametrize(
    "order", list(permutations(["paid", "quarter", "full"])), ids="-".join
)
def test_an_orders_money_events_net_out_in_one_batch_in_any_order(enabled, order):
    # given: the order's events, in this order of time, another order's after
    for minutes, name in enumerate(order):
        PARTS[name](minutes)
    paid("o2", "30.00", 5)

    # when
    drain()

    # then: 1,000 earned and all of it given back, once; o2 untouched
    totals = LedgerEntry.objects.values_list("kind").annotate(points=Sum("points"))
    assert dict(totals) == {"earn_order": 1030, "reverse_refund": -1000}
    assert LedgerEntry.objects.get(order_id="o1", kind="earn_order").remaining == 0
    assert LedgerEntry.objects.get(order_id="o2").remaining == 30
    assert LoyaltyAccount.objects.get().balance == 30
    assert LedgerEntry.objects.aggregate(Sum("shortfall"))["shortfall__sum"] == 0


def test_a_refund_of_spent_points_is_applied_alone_between_the_batchs_others(
    enabled, client
):
    # given: 1,000 points earned and redeemed as a code
    paid("o1", "1000.00", 0)
    drain()
    response = graphql(client, REDEEM, {"points": 1000}, token=issue_token(**ANN))
    code = response.json()["data"]["redeemLoyaltyPoints"]["code"]

    # when: in one batch, a new order, the first one refunded in full (its
    # points are spent: the code is withdrawn), then a review
    paid("o2", "100.00", 1)
    refunded("o1", "1000.00", 2)
    reviewed("p1", 3)
    drain()

    # then: written in the events' order; o2 earned at Silver (1,000 earned),
    # the review after the reversal at Bronze (125 earned)
    written = LedgerEntry.objects.order_by("id")
    assert list(written.values_list("kind", "points", "remaining", "order_id")) == [
        ("earn_order", 1000, 0, "o1"),
        ("redeem", -1000, 0, ""),
        ("earn_order", 125, 125, "o2"),
        ("withdraw", 1000, 0, "o1"),
        ("reverse_refund", -1000, 0, "o1"),
        ("earn_review", 50, 50, ""),
    ]
    assert Coupon.objects.get(code=code).withdrawn_at is not None
    assert list(LoyaltyAccount.objects.values_list("balance", "tier")) == [
        (175, "Bronze")
    ]


def _ledger_statements(orders: int, first: int) -> int:
    """Statements on the ledger's tables while draining ``orders`` paid orders
    of known customers."""
    for n in range(orders):
        paid(f"s{first + n}", "20.00", first + n, who={"user_id": f"u{n}"})
    with CaptureQueriesContext(connection) as captured:
        assert drain() == orders
    return sum("journey_loyalty" in query["sql"] for query in captured)


def test_a_batchs_ledger_statements_do_not_grow_with_its_awards(enabled):
    # given: forty customers known, each with an account
    _ledger_statements(40, 0)

    # when: a batch of 5 orders, then one of 40
    few = _ledger_statements(5, 100)
    many = _ledger_statements(40, 200)

    # then: the same statements: accounts created, locked, entries read,
    # window sums, one insert, one balance update
    assert (few, many) == (6, 6)
    assert LedgerEntry.objects.count() == 85
    assert JourneyEvent.objects.filter(processed_at__isnull=True).count() == 0
