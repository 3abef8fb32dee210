"""An order's money events net out whatever order the drain applies them in,
and a refund of points already redeemed withdraws the code they paid for."""

from datetime import timedelta
from itertools import permutations

import pytest
from django.db.models import Sum
from django.utils import timezone

from example_store.host import issue_token
from example_store.models import Coupon
from saleor_journey_plugin.core import followers
from saleor_journey_plugin.core.events import EventType as E
from saleor_journey_plugin.core.events import JourneyEventData
from saleor_journey_plugin.core.processing import drain, process_event
from saleor_journey_plugin.core.recording import record_event
from saleor_journey_plugin.loyalty import ledger
from saleor_journey_plugin.loyalty.models import LedgerEntry
from saleor_journey_plugin.loyalty.report import compute_loyalty
from saleor_journey_plugin.models import Customer, JourneyEvent
from saleor_journey_plugin.reports import Period

from ..graphql.api import graphql
from .conftest import CHANNEL, entries

pytestmark = pytest.mark.django_db

ANN = {"user_id": "7", "email": "ann@example.com"}
REDEEM = """
mutation($points: Int!) {
  redeemLoyaltyPoints(points: $points) { code balance errors { code } }
}
"""


def record(event_type, key, payload, minutes):
    return record_event(
        JourneyEventData(
            type=event_type,
            idempotency_key=key,
            occurred_at=timezone.now()
            - timedelta(hours=1)
            + timedelta(minutes=minutes),
            channel=CHANNEL,
            payload={"order_id": "o1", "currency": "USD", **payload},
            **ANN,
        )
    )


def paid():
    """1,000.00 net (1,100.00 with tax): 1,000 points; the event's id."""
    return record(
        E.ORDER_PAID, "order:o1:paid", {"net": "1000.00", "total": "1100.00"}, 0
    )


def refunded(so_far=None, minutes=1):
    """A refund of the order; ``so_far``: a partial one, refunded so far."""
    payload = {"total": "1100.00"}
    key = "order:o1:refunded"
    if so_far is not None:
        payload |= {"refunded": so_far, "partial": True}
        key += f":{so_far}"
    return record(E.ORDER_REFUNDED, key, payload, minutes)


def ann():
    return Customer.objects.get(user_id="7")


def balance():
    return ledger.balance(CHANNEL, ann().pk)


def by_kind():
    return dict(LedgerEntry.objects.values_list("kind").annotate(points=Sum("points")))


class PaidOrdersFail:
    """A follower that fails on paid orders while ``broken``: the drain records
    the failure and retries the event later, as when the store is down."""

    broken = True

    def fold(self, event_ids, sign):
        paid = JourneyEvent.objects.filter(pk__in=event_ids, type=E.ORDER_PAID)
        if sign == 1 and self.broken and paid.exists():
            raise ConnectionError("the store did not answer")


@pytest.fixture
def paid_orders_fail():
    follower = PaidOrdersFail()
    followers.follow(follower)
    yield follower
    followers.unfollow(follower)


def retry_failed():
    JourneyEvent.objects.filter(attempts__gt=0).update(retry_after=timezone.now())
    drain()


@pytest.mark.parametrize(
    ("so_far", "expected", "left"),
    [
        pytest.param(
            None,
            [
                ("earn_order", 1000, 0, 0),
                ("reverse_refund", 0, 0, 0),
                ("reverse_refund", -1000, 0, 0),
            ],
            0,
            id="full",
        ),
        pytest.param(
            "275.00",
            [
                ("earn_order", 1000, 750, 0),
                ("reverse_refund", 0, 0, 0),
                ("reverse_refund", -250, 0, 0),
            ],
            750,
            id="a-quarter",
        ),
    ],
)
def test_a_refund_applied_while_its_paid_event_waits_for_a_retry_still_counts(
    enabled, paid_orders_fail, so_far, expected, left
):
    # given: the order is paid, then refunded (in full, or a quarter of it)
    paid()
    refunded(so_far)

    # when: the paid event fails, the refund is applied, then the retry
    drain()
    waiting = JourneyEvent.objects.get(type=E.ORDER_PAID)
    assert (waiting.attempts, waiting.processed_at) == (1, None)
    assert JourneyEvent.objects.get(type=E.ORDER_REFUNDED).processed_at is not None
    paid_orders_fail.broken = False
    retry_failed()

    # then: the refund takes back its share of what the retry earned
    assert JourneyEvent.objects.filter(processed_at__isnull=True).count() == 0
    assert entries(ann()) == expected
    assert balance() == left


PARTS = {"paid": paid, "quarter": lambda: refunded("275.00"), "full": refunded}


@pytest.mark.parametrize(
    "order", list(permutations(["paid", "quarter", "full"])), ids="-".join
)
def test_paid_and_refunds_net_out_in_any_order_and_redelivered(enabled, order):
    # given: the order's three events, recorded before any is applied
    events = {name: PARTS[name]() for name in ("paid", "quarter", "full")}

    # when: the worker applies them in this order, each delivered twice
    for name in order:
        process_event(events[name])
        process_event(events[name])
    for name in order:  # redelivered by the hook under the same key
        PARTS[name]()
    drain()

    # then: the order earned 1,000 and gave all of it back, once
    assert by_kind() == {"earn_order": 1000, "reverse_refund": -1000}
    assert balance() == 0
    assert LedgerEntry.objects.aggregate(Sum("shortfall"))["shortfall__sum"] == 0


@pytest.mark.parametrize(
    "order", list(permutations(["paid", "quarter", "half"])), ids="-".join
)
def test_partial_refunds_net_out_in_any_order(enabled, order):
    # given
    parts = {**PARTS, "half": lambda: refunded("550.00")}
    events = {name: parts[name]() for name in ("paid", "quarter", "half")}

    # when
    for name in order:
        process_event(events[name])

    # then: half of the order refunded, half of its points taken back
    assert by_kind() == {"earn_order": 1000, "reverse_refund": -500}
    assert balance() == 500


def redeem(client, points):
    response = graphql(client, REDEEM, {"points": points}, token=issue_token(**ANN))
    return response.json()["data"]["redeemLoyaltyPoints"]


def test_a_refund_of_redeemed_points_withdraws_the_unused_code(enabled, client):
    # given: 1,000 points earned and all of them redeemed as a 10.00 code
    paid()
    drain()
    code = redeem(client, 1000)["code"]

    # when: the order is refunded in full (the refund delivered twice)
    refunded(minutes=60)
    drain()
    refunded(minutes=60)
    drain()

    # then: the code is withdrawn, its points came back and went with the
    # refund; the store pays for nothing twice
    assert entries(ann()) == [
        ("earn_order", 1000, 0, 0),
        ("redeem", -1000, 0, 0),
        ("withdraw", 1000, 0, 0),
        ("reverse_refund", -1000, 0, 0),
    ]
    coupon = Coupon.objects.get(code=code)
    assert coupon.withdrawn_at is not None
    assert coupon.used_at is None
    withdrawn = LedgerEntry.objects.get(kind="withdraw")
    assert withdrawn.idempotency_key == (
        f"withdraw:{LedgerEntry.objects.get(kind='redeem').pk}"
    )
    assert balance() == 0
    # and the report counts no points redeemed: the code was taken back
    today = timezone.localdate()
    report = compute_loyalty(
        CHANNEL, Period(today - timedelta(days=1), today + timedelta(days=1))
    )
    assert (report.issued, report.redeemed, report.reversed, report.outstanding) == (
        1000,
        0,
        1000,
        0,
    )


def test_a_partial_refund_withdraws_the_code_and_leaves_the_rest(enabled, client):
    # given: 1,000 points, 600 and 400 redeemed as two codes
    paid()
    drain()
    first = redeem(client, 600)["code"]
    second = redeem(client, 400)["code"]

    # when: a quarter of the order is refunded: 250 points owed
    refunded("275.00", minutes=60)
    drain()

    # then: the newest code (400) is withdrawn; 250 go with the refund and
    # 150 are back on the balance; the older code still works
    assert Coupon.objects.get(code=second).withdrawn_at is not None
    assert Coupon.objects.get(code=first).withdrawn_at is None
    assert entries(ann()) == [
        ("earn_order", 1000, 0, 0),
        ("redeem", -600, 0, 0),
        ("redeem", -400, 0, 0),
        ("withdraw", 400, 150, 0),
        ("reverse_refund", -250, 0, 0),
    ]
    assert balance() == 150

    # when: the rest of the order is refunded: 750 points more
    refunded(minutes=61)
    drain()

    # then: the older code goes too; each code came back once
    assert Coupon.objects.get(code=first).withdrawn_at is not None
    assert entries(ann())[5:] == [
        ("withdraw", 600, 0, 0),
        ("reverse_refund", -750, 0, 0),
    ]
    assert balance() == 0


def test_a_used_code_stays_used_and_the_shortfall_is_recorded(enabled, client):
    # given: all 1,000 points redeemed and the code used at a checkout
    paid()
    drain()
    code = redeem(client, 1000)["code"]
    Coupon.objects.filter(code=code).update(used_at=timezone.now())

    # when
    refunded(minutes=60)
    drain()

    # then: nothing is withdrawn; the balance stops at zero
    assert Coupon.objects.get(code=code).withdrawn_at is None
    assert entries(ann()) == [
        ("earn_order", 1000, 0, 0),
        ("redeem", -1000, 0, 0),
        ("reverse_refund", 0, 0, 1000),
    ]
    assert balance() == 0
