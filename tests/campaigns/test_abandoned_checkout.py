"""Abandoned-checkout reminders: steps from the last change, coupons, exits."""

import re
from datetime import timedelta

import pytest

from example_store.models import Coupon
from example_store.models import StoreCheckout as Checkout
from saleor_journey_plugin.campaigns.models import CampaignMessage
from saleor_journey_plugin.campaigns.sweep import sweep
from saleor_journey_plugin.core.events import EventType as E
from saleor_journey_plugin.models import JourneyEvent

from ..conftest import T0
from .conftest import checkout, event

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)
TIMES = "\N{MULTIPLICATION SIGN}"
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
    assert "It works once, until March 9, 2026." in text
    assert coupon.code not in inbox.messages[0].as_string()
    assert statuses() == [(1, "sent"), (2, "sent"), (3, "sent")]


def test_the_email_carries_the_lines_totals_link_and_one_click_unsubscribe(
    channels, inbox
):
    # given
    start()

    # when
    sweep(now=T0 + HOUR)

    # then
    [mail] = inbox.messages
    message = CampaignMessage.objects.get(subject="t1", step=1)
    assert mail["From"] == "Example Store <shop@example.com>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = mail["List-Unsubscribe"].strip()
    assert unsubscribe.startswith(
        "<https://journey.example.com/campaigns/web-usd/unsubscribe/"
    )
    assert unsubscribe.endswith("/>")
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    # A guest who typed no name: a neutral greeting, none made from the address.
    assert text.startswith("Hi there,")
    assert "Jane" not in text
    assert "Jane" not in html
    assert "<strong>Linen shirt</strong>" in html
    assert "2 &times; $45.00" in html
    assert "1 &times; $18.50" in html
    assert ">$90.00</td>" in html
    assert ">$108.50</td>" in html
    assert f"Linen shirt: 2 {TIMES} $45.00 = $90.00" in text
    assert "Total: $108.50" in text
    link = "https://journey.example.com/campaigns/web-usd/click/"
    assert f'<a href="{link}' in html
    assert f"Complete your order: {link}" in text
    assert unsubscribe[1:-1] in html
    assert message.email == "jane.doe@example.com"
    assert message.sent_at == T0 + HOUR


APPLE_JUICE = [
    {"name": "Apple Juice", "variant_name": "1 L", "quantity": 1, "price": "1.99"},
    {"name": "Linen shirt", "quantity": 2, "price": "45.00"},
]


def test_the_plain_text_part_reads_one_legible_line_per_item(channels, inbox, settings):
    # given: Jane typed her billing name; the shop has a postal address
    settings.JOURNEY_CHANNELS["web-usd"]["postal_address"] = [
        "Example Store Inc.",
        "1 Main St",
        "Springfield, IL 12345",
    ]
    checkout("t1", lines=APPLE_JUICE, first_name="Jane")
    event(E.CHECKOUT_STARTED, "checkout:t1:started", checkout="t1", **JANE)

    # when
    sweep(now=T0 + HOUR)

    # then
    [mail] = inbox.messages
    text = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
    link = re.search(r"Complete your order: (\S+)", text)[1]
    unsubscribe = mail["List-Unsubscribe"].strip()[1:-1]
    assert text == (
        "Hi Jane,\n\n"
        "You were almost done at Example Store. We saved your cart, so you can "
        "pick up right where you left off.\n\n"
        f"Complete your order: {link}\n\n"
        f"Apple Juice (1 L): 1 {TIMES} $1.99 = $1.99\n"
        f"Linen shirt: 2 {TIMES} $45.00 = $90.00\n"
        "Total: $91.99\n\n"
        "Questions about sizes, shipping or payment? Just reply to this email "
        "and we will help.\n\n"
        "Thanks,\n"
        "The Example Store team\n\n"
        "--\n"
        "You are receiving this because you started a checkout at Example Store.\n"
        f"Unsubscribe: {unsubscribe}\n"
        "Example Store Inc., 1 Main St, Springfield, IL 12345\n"
    )
    html = mail.get_body(("html",)).get_content()
    assert "Example Store Inc., 1 Main St, Springfield, IL 12345" in html
    assert '<span style="color:#6b7280">1 L</span>' in html


def test_a_korean_channel_gets_the_korean_template(channels, inbox):
    # given
    channels()
    from django.conf import settings

    settings.JOURNEY_CHANNELS["web-krw"]["campaigns"]["abandoned_checkout_enabled"] = (
        "true"
    )
    checkout(
        "k1",
        channel="web-krw",
        currency="KRW",
        first_name="지민",
        lines=[
            {"name": "린넨 셔츠", "quantity": 2, "price": "45000"},
            {"name": "캔버스 토트백", "quantity": 1, "price": "18500"},
        ],
    )
    event(
        E.CHECKOUT_STARTED,
        "checkout:k1:started",
        channel="web-krw",
        checkout="k1",
        **JANE,
    )

    # when
    sweep(now=T0 + HOUR)

    # then
    [mail] = inbox.messages
    # (the encoded header comes back folded after "Subject:")
    assert (
        mail["Subject"].strip()
        == "[예시 스토어] 장바구니에 담아 두신 상품이 기다리고 있어요"
    )
    text = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text.startswith("지민님, 안녕하세요.\n")
    assert f"린넨 셔츠: 2 {TIMES} ₩45,000 = ₩90,000\n" in text
    assert "합계: ₩108,500\n" in text
    assert "주문 완료하기: https://journey.example.com/campaigns/web-krw/click/" in text
    html = mail.get_body(("html",)).get_content()
    assert '<html lang="ko"' in html
    assert ">주문 완료하기</a>" in html


def test_a_later_checkout_change_pushes_the_steps_not_sent_yet(channels, inbox):
    # given: the first reminder went out
    start()
    sweep(now=T0 + HOUR)

    # when: the customer adds details 10 hours in
    checkout("t1", at=T0 + 10 * HOUR)
    event(
        E.CHECKOUT_DETAILS_ADDED,
        "checkout:t1:details",
        at=T0 + 10 * HOUR,
        checkout="t1",
        **JANE,
    )

    # then: steps 2 and 3 count from the change; the sent step stays sent
    rows = CampaignMessage.objects.filter(subject="t1").order_by("step")
    assert [(r.step, r.status, r.due_at) for r in rows] == [
        (1, "sent", T0 + HOUR),
        (2, "scheduled", T0 + 34 * HOUR),
        (3, "scheduled", T0 + 82 * HOUR),
    ]
    assert sweep(now=T0 + 33 * HOUR) == {}
    assert sweep(now=T0 + 34 * HOUR) == {"sent": 1}


def test_a_change_the_store_saw_without_an_event_postpones_the_send(channels, inbox):
    # given: the checkout was edited 30 minutes in (no journey milestone)
    start()
    checkout("t1", at=T0 + 30 * timedelta(minutes=1))

    # when
    first = sweep(now=T0 + HOUR)
    second = sweep(now=T0 + 90 * timedelta(minutes=1))

    # then: step 1 waited for an hour after that change
    assert (first, second) == ({"postponed": 1}, {"sent": 1})
    assert len(inbox.messages) == 1


def test_an_order_from_the_checkout_stops_the_remaining_reminders(channels, inbox):
    # given: step 1 sent
    start()
    sweep(now=T0 + HOUR)

    # when: an order is placed from the checkout
    event(
        E.ORDER_PLACED,
        "order:9:placed",
        at=T0 + 2 * HOUR,
        checkout="t1",
        order_id="9",
        **JANE,
    )
    outcome = sweep(now=T0 + 100 * HOUR)

    # then
    assert outcome == {"cancelled": 2}
    assert statuses() == [(1, "sent"), (2, "cancelled"), (3, "cancelled")]
    assert len(inbox.messages) == 1
    assert Coupon.objects.count() == 0


def test_any_order_by_the_same_customer_stops_the_reminders(channels, inbox):
    # given
    start()

    # when: Jane buys through another checkout
    event(E.ORDER_PLACED, "order:10:placed", at=T0 + HOUR / 2, order_id="10", **JANE)

    # then
    assert sweep(now=T0 + 100 * HOUR) == {"cancelled": 3}
    assert inbox.messages == []


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"lines": []}, "The checkout was emptied."),
        ({"order_id": "11"}, "An order was placed from it."),
        (None, "The checkout was deleted."),
    ],
)
def test_an_emptied_deleted_or_ordered_checkout_cancels(
    channels, inbox, change, reason
):
    # given
    start()
    if change is None:
        Checkout.objects.filter(token="t1").delete()
    else:
        Checkout.objects.filter(token="t1").update(**change)

    # when
    outcome = sweep(now=T0 + HOUR)

    # then
    assert outcome == {"cancelled": 1}
    row = CampaignMessage.objects.get(subject="t1", step=1)
    assert (row.status, row.last_error) == ("cancelled", reason)
    assert inbox.messages == []


def test_a_campaign_turned_off_schedules_nothing_and_cancels_what_is_due(
    channels, inbox
):
    # given: off when the checkout started
    channels(abandoned_checkout_enabled="false")
    start("t2")
    # and on for another checkout, then off
    channels()
    start("t3")
    channels(abandoned_checkout_enabled="false")

    # when
    outcome = sweep(now=T0 + HOUR)

    # then
    assert not CampaignMessage.objects.filter(subject="t2").exists()
    assert outcome == {"cancelled": 1}
    assert inbox.messages == []


def test_the_same_trigger_twice_schedules_each_step_once(channels):
    # given
    start()

    # when: the drain's followers see the event again (a rewrite replays it)
    from saleor_journey_plugin.campaigns.scheduling import SCHEDULER

    event_id = JourneyEvent.objects.get(type="CHECKOUT_STARTED").pk
    SCHEDULER.fold([event_id], 1)
    SCHEDULER.fold([event_id], -1)

    # then
    assert CampaignMessage.objects.count() == 3
