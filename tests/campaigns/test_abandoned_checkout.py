"""Abandoned-checkout reminders: steps from the last change, coupons, exits."""

from datetime import timedelta

import pytest

from example_store.models import Coupon
from saleor_journey_plugin.campaigns.models import CampaignMessage
from saleor_journey_plugin.campaigns.sweep import sweep
from saleor_journey_plugin.core.events import EventType as E

from ..conftest import T0
from .conftest import checkout, event

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)
JANE = {"email": "jane.doe@example.com"}


def start(token="t1", at=T0, who=JANE):
    checkout(token, at=at, email=who["email"])
    return event(
        E.CHECKOUT_STARTED, f"checkout:{token}:started", at=at, checkout=token, **who
    )


def statuses(token="t1"):
    return list(
        CampaignMessage.objects.filter(subject=token)
        .order_by("step")
        .values_list("step", "status")
    )


def test_a_started_checkout_schedules_its_three_steps_from_the_event(channels):
    # when
    start()

    # then: 1 h, 24 h, 72 h after the checkout's last change
    rows = CampaignMessage.objects.filter(subject="t1").order_by("step")
    assert [(r.kind, r.step, r.status, r.due_at) for r in rows] == [
        ("abandoned_checkout", 1, "scheduled", T0 + HOUR),
        ("abandoned_checkout", 2, "scheduled", T0 + 24 * HOUR),
        ("abandoned_checkout", 3, "scheduled", T0 + 72 * HOUR),
    ]


def test_each_step_is_sent_once_at_its_time_with_the_coupon_on_step_two(
    channels, inbox
):
    # given
    start()

    # when: sweeps just before and at each step's time
    before = sweep(now=T0 + 59 * timedelta(minutes=1))
    first = sweep(now=T0 + HOUR)
    again = sweep(now=T0 + HOUR)
    second = sweep(now=T0 + 25 * HOUR)
    third = sweep(now=T0 + 72 * HOUR)

    # then
    assert (before, first, again, second, third) == (
        {},
        {"sent": 1},
        {},
        {"sent": 1},
        {"sent": 1},
    )
    assert [m["To"] for m in inbox.messages] == ["jane.doe@example.com"] * 3
    assert [m["Subject"] for m in inbox.messages] == [
        "You left something in your cart at Example Store",
        "10% off the items in your cart at Example Store",
        "You left something in your cart at Example Store",
    ]
    coupon = Coupon.objects.get()
    assert (coupon.value, coupon.percentage, coupon.expires_at) == (
        10,
        True,
        T0 + 25 * HOUR + timedelta(days=7),
    )
    text = inbox.messages[1].get_body(("plain",)).get_content()
    assert coupon.code in text
    assert "until 2026-03-09" in text
    assert coupon.code not in inbox.messages[0].as_string()
    assert statuses() == [(1, "sent"), (2, "sent"), (3, "sent")]
