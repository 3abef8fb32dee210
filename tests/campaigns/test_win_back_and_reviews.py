"""Win-back after a lapse, and review requests after a fulfilment."""

from datetime import timedelta

import pytest

from example_store.models import Coupon
from saleor_journey_plugin.campaigns.models import CampaignMessage
from saleor_journey_plugin.campaigns.sweep import sweep
from saleor_journey_plugin.core.events import EventType as E
from saleor_journey_plugin.core.lapse import record_lapses
from saleor_journey_plugin.core.processing import drain

from ..conftest import T0
from .conftest import event

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)
SAM = {"email": "sam.lee@example.com", "user_id": "42"}
LAPSED_AT = T0 + 91 * DAY


def buy_then_lapse():
    # Sam's account, as the store reports it: what gives it its address.
    event(E.ACCOUNT_CREATED, "user:42:created", at=T0 - DAY, channel="", **SAM)
    event(E.ORDER_PLACED, "order:1:placed", order_id="1", **SAM)
    event(E.ORDER_PAID, "order:1:paid", order_id="1", **SAM)
    [lapse_id] = record_lapses(now=LAPSED_AT)
    drain()
    return lapse_id


def test_a_lapse_sends_the_coupon_at_once_and_a_reminder_two_weeks_later(
    channels, inbox, django_user_model
):
    # given: Sam's account gives his first name
    django_user_model.objects.create(
        pk=42, username="sam", email=SAM["email"], first_name="Sam"
    )
    lapse_id = buy_then_lapse()

    # when
    first = sweep(now=LAPSED_AT)
    second = sweep(now=LAPSED_AT + 14 * DAY)

    # then
    assert (first, second) == ({"sent": 1}, {"sent": 1})
    rows = CampaignMessage.objects.order_by("step")
    assert [(r.kind, r.subject, r.step, r.status) for r in rows] == [
        ("win_back", str(lapse_id), 1, "sent"),
        ("win_back", str(lapse_id), 2, "sent"),
    ]
    coupon = Coupon.objects.get()
    assert (coupon.value, coupon.percentage) == (15, True)
    assert [m["Subject"] for m in inbox.messages] == [
        "We miss you: 15% off your next order at Example Store",
        "It has been a while, Sam",
    ]
    text = inbox.messages[0].get_body(("plain",)).get_content()
    assert text.startswith("Hi Sam,\r\n")
    assert f"your code {coupon.code} takes 15% off your next order" in text


def test_a_paid_order_ends_the_win_back(channels, inbox):
    # given: the coupon email went out
    buy_then_lapse()
    sweep(now=LAPSED_AT)

    # when: Sam buys again
    event(E.ORDER_PLACED, "order:2:placed", at=LAPSED_AT + DAY, order_id="2", **SAM)
    event(E.ORDER_PAID, "order:2:paid", at=LAPSED_AT + DAY, order_id="2", **SAM)

    # then
    assert sweep(now=LAPSED_AT + 14 * DAY) == {"cancelled": 1}
    assert len(inbox.messages) == 1


def test_a_stale_lapse_that_moved_nobody_schedules_nothing(channels):
    # given: a lapse event for a journey that is already lapsed
    buy_then_lapse()

    # when: the same lapse, detected on the same clock, as a new event
    event(
        E.LAPSE_DETECTED,
        "lapse:again",
        at=LAPSED_AT + DAY,
        lapse_anchor=T0.isoformat(),
        **SAM,
    )

    # then: one episode, two steps
    assert CampaignMessage.objects.count() == 2


def test_a_fulfilled_order_asks_for_a_review_after_seven_days(channels, inbox):
    # given
    event(E.ORDER_PLACED, "order:5:placed", order_id="5", **SAM)
    event(E.ORDER_FULFILLED, "order:5:fulfilled", at=T0 + DAY, order_id="5", **SAM)

    # when
    early = sweep(now=T0 + 7 * DAY)
    due = sweep(now=T0 + 8 * DAY)

    # then
    assert (early, due) == ({}, {"sent": 1})
    [mail] = inbox.messages
    assert mail["Subject"] == "How was your order from Example Store?"
    assert "Write a review: https://journey.example.com/campaigns/web-usd/click/" in (
        mail.get_body(("plain",)).get_content()
    )


def test_reviewing_the_order_cancels_its_request_but_not_another_orders(
    channels, inbox
):
    # given: two fulfilled orders
    for order in ("5", "6"):
        event(E.ORDER_PLACED, f"order:{order}:placed", order_id=order, **SAM)
        event(E.ORDER_FULFILLED, f"order:{order}:fulfilled", order_id=order, **SAM)

    # when: Sam reviews order 5
    event(E.REVIEW_SUBMITTED, "review:1", at=T0 + DAY, order_id="5", rating=5, **SAM)
    outcome = sweep(now=T0 + 7 * DAY)

    # then: the frequency cap is not involved (one email)
    assert outcome == {"cancelled": 1, "sent": 1}
    assert list(
        CampaignMessage.objects.order_by("subject").values_list("subject", "status")
    ) == [("5", "cancelled"), ("6", "sent")]
    assert len(inbox.messages) == 1
