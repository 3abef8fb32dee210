"""Orders credited to the campaign email that recovered them, and the report."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from example_store.host import issue_token
from saleor_journey_plugin.campaigns.attribution import ATTRIBUTOR
from saleor_journey_plugin.campaigns.models import (
    CampaignAttribution,
    CampaignClick,
    CampaignMessage,
)
from saleor_journey_plugin.campaigns.report import (
    CampaignFigures,
    CampaignStepFigures,
    compute_campaigns,
)
from saleor_journey_plugin.campaigns.sweep import sweep
from saleor_journey_plugin.core import followers
from saleor_journey_plugin.core.events import EventType as E
from saleor_journey_plugin.core.events import JourneyEventData
from saleor_journey_plugin.core.lapse import record_lapses
from saleor_journey_plugin.core.processing import drain
from saleor_journey_plugin.core.recording import record_event
from saleor_journey_plugin.models import JourneyEvent
from saleor_journey_plugin.reports import Period
from saleor_journey_plugin.reports.results import Money

from ..conftest import T0
from ..graphql.api import graphql
from .conftest import checkout, event

pytestmark = pytest.mark.django_db

CAMPAIGNS_QUERY = (
    Path(__file__).resolve().parents[2] / "graphql/examples/journey_campaigns.graphql"
).read_text(encoding="utf-8")
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
JANE = {"email": "jane.doe@example.com"}
SAM = {"email": "sam.lee@example.com", "user_id": "42"}
LAPSED_AT = T0 + 91 * DAY
MARCH = Period(date(2026, 3, 1), date(2026, 4, 1))
JUNE = Period(date(2026, 5, 1), date(2026, 7, 1))


def usd(amount: str) -> Money:
    return Money(Decimal(amount), "USD")


def figures(**values) -> CampaignFigures:
    """Figures of nothing in USD, with ``values`` changed."""
    nothing = {
        "sent": 0,
        "clicked": 0,
        "reminded_checkouts": 0,
        "recovered_checkouts": 0,
        "recovered_orders": 0,
        "recovered_revenue": usd("0.00"),
        "recovery_rate": None,
        "discount_cost": usd("0.00"),
        "roi": None,
    }
    return CampaignFigures(**{**nothing, **values})


def remind_jane(token="t1"):
    """Jane's checkout gets its 1 h reminder and, a day later, the 10% code."""
    checkout(token, email=JANE["email"])
    event(E.CHECKOUT_STARTED, f"checkout:{token}:started", checkout=token, **JANE)
    sweep(now=T0 + HOUR)
    sweep(now=T0 + 25 * HOUR)  # the frequency cap: a day after the first
    return CampaignMessage.objects.get(subject=token, step=2)


def recover_with_code(total="97.65", discount="10.85"):
    """Jane completes the reminded checkout with its code, two hours later."""
    coupon_email = remind_jane()
    order(
        100,
        T0 + 26 * HOUR,
        who=JANE,
        checkout="t1",
        total=total,
        currency="USD",
        coupons=[{"code": coupon_email.coupon_code, "discount": discount}],
    )
    return coupon_email


def order(number, at, *, who, channel="web-usd", **payload):
    return event(
        E.ORDER_PLACED,
        f"order:{number}:placed",
        at=at,
        channel=channel,
        order_id=str(number),
        **who,
        **payload,
    )


def win_back_sam(channel="web-usd", currency="USD", total="20.00"):
    """Sam orders, lapses 91 days later, and gets the win-back coupon email."""
    # Sam's account, as the store reports it: what gives it its address.
    event(E.ACCOUNT_CREATED, "user:42:created", at=T0 - HOUR, channel="", **SAM)
    order(1, T0, who=SAM, channel=channel, total=total, currency=currency)
    event(E.ORDER_PAID, "order:1:paid", channel=channel, order_id="1", **SAM)
    record_lapses(now=LAPSED_AT)
    drain()
    sweep(now=LAPSED_AT)
    return CampaignMessage.objects.get(kind="win_back", step=1, channel=channel)


def credits():
    return list(
        CampaignAttribution.objects.order_by("order_id").values_list(
            "order_id", "message_id", "revenue", "discount_cost", "coupon_code"
        )
    )


def test_an_order_from_the_reminded_checkout_with_the_code_is_recovered(
    channels, inbox
):
    # given/when: two reminders sent, the second with the 10% code and clicked
    # twice; Jane completes that checkout with the code (amounts as Saleor
    # writes them)
    coupon_email = recover_with_code(total="97.650", discount="10.850")
    for minutes in (1, 2):
        CampaignClick.objects.create(
            message=coupon_email, at=T0 + 25 * HOUR + minutes * timedelta(minutes=1)
        )

    # then: the latest email (step 2) gets the credit, with its coupon's cost
    assert credits() == [
        (
            "100",
            coupon_email.pk,
            Decimal("97.65"),
            Decimal("10.85"),
            coupon_email.coupon_code,
        )
    ]
    report = compute_campaigns("web-usd", MARCH, currency="USD")
    [abandoned, win_back, reviews, browse] = report.kinds
    assert abandoned.totals == figures(
        sent=2,
        clicked=1,
        reminded_checkouts=1,
        recovered_checkouts=1,
        recovered_orders=1,
        recovered_revenue=usd("97.65"),
        recovery_rate=Decimal(1),
        discount_cost=usd("10.85"),
        # (97.65 - 10.85) / 10.85
        roi=Decimal(8),
    )
    assert abandoned.steps == (
        CampaignStepFigures(
            1, figures(sent=1, reminded_checkouts=1, recovery_rate=Decimal(0))
        ),
        CampaignStepFigures(2, replace(abandoned.totals, sent=1)),
        CampaignStepFigures(3, figures()),
    )
    assert report.totals == abandoned.totals
    assert (win_back.kind.value, win_back.totals) == ("win_back", figures())
    assert [s.step for s in win_back.steps] == [1, 2]
    assert [s.step for s in reviews.steps] == [1]
    assert (browse.kind.value, browse.totals) == ("browse_abandonment", figures())


def test_an_order_by_the_customer_within_the_window_after_a_win_back_is_recovered(
    channels, inbox
):
    # given: the win-back email with its 15% code
    email = win_back_sam()

    # when: Sam orders 7 days later without the code
    order(2, LAPSED_AT + 7 * DAY, who=SAM, total="40.00", currency="USD", coupons=[])

    # then: credited to the win-back, with no discount cost and no ROI
    assert credits() == [("2", email.pk, Decimal("40.00"), Decimal("0"), "")]
    report = compute_campaigns("web-usd", JUNE, currency="USD")
    win_back = report.kinds[1]
    assert win_back.totals == figures(
        sent=1, recovered_orders=1, recovered_revenue=usd("40.00")
    )
    assert win_back.steps[0] == CampaignStepFigures(1, win_back.totals)
    assert report.totals == win_back.totals


def test_an_order_after_the_window_is_not_credited(channels, inbox):
    # given
    win_back_sam()

    # when: Sam orders a minute after the 7 days
    order(2, LAPSED_AT + 7 * DAY + timedelta(minutes=1), who=SAM, total="40.00")

    # then
    assert credits() == []
    assert compute_campaigns("web-usd", JUNE).totals == figures(sent=1)


def test_only_the_latest_email_before_the_order_gets_the_credit(channels, inbox):
    # given: two reminders of checkout t1
    second = remind_jane()

    # when: Jane orders from another checkout of hers, with a code of the
    # store's own, not the campaign's
    order(
        100,
        T0 + 30 * HOUR,
        who=JANE,
        checkout="t2",
        total="50.00",
        currency="USD",
        coupons=[{"code": "SPRING5", "discount": "5.00"}],
    )

    # then: the second reminder recovered t1, at no campaign cost
    assert credits() == [("100", second.pk, Decimal("50.00"), Decimal("0"), "")]
    assert CampaignAttribution.objects.get().checkout == "t1"
    steps = compute_campaigns("web-usd", MARCH).kinds[0].steps
    assert [(s.step, s.totals.recovered_orders) for s in steps] == [
        (1, 0),
        (2, 1),
        (3, 0),
    ]


def test_an_order_delivered_twice_or_replayed_is_credited_once(channels, inbox):
    # given: an order from the reminded checkout, credited
    remind_jane()
    placed = order(100, T0 + 26 * HOUR, who=JANE, checkout="t1", total="97.65")

    # when: the same event arrives again, another key names the same order,
    # and a rewrite folds the events again
    again = record_event(
        JourneyEventData(
            type=E.ORDER_PLACED,
            idempotency_key="order:100:placed",
            occurred_at=T0 + 26 * HOUR,
            channel="web-usd",
            payload={"order_id": "100", "checkout": "t1", "total": "97.65"},
            **JANE,
        )
    )
    other = event(
        E.ORDER_PLACED,
        "backfill:order:100:placed",
        at=T0 + 26 * HOUR,
        order_id="100",
        checkout="t1",
        total="97.65",
        **JANE,
    )
    ATTRIBUTOR.fold([placed, other], 1)
    with followers.rewriting(JourneyEvent.objects.filter(pk=placed)):
        pass

    # then
    assert again is None
    assert len(credits()) == 1
    assert compute_campaigns("web-usd", MARCH).totals.recovered_orders == 1


def test_a_cancelled_order_keeps_its_credit_but_brings_no_revenue_after(
    channels, inbox
):
    # given: a recovered order with the code
    recover_with_code()

    # when: cancelled on 3 April
    event(
        E.ORDER_CANCELLED,
        "order:100:cancelled",
        at=T0 + 33 * DAY,
        order_id="100",
        total="97.65",
        currency="USD",
        **JANE,
    )

    # then: March (closed before it) keeps the revenue; March to April does not
    march = compute_campaigns("web-usd", MARCH).totals
    both = compute_campaigns("web-usd", Period(date(2026, 3, 1), date(2026, 5, 1)))
    assert (march.recovered_revenue, march.discount_cost, march.roi) == (
        usd("97.65"),
        usd("10.85"),
        Decimal(8),
    )
    assert both.totals == figures(
        sent=2,
        reminded_checkouts=1,
        recovered_checkouts=1,
        recovered_orders=1,
        recovery_rate=Decimal(1),
    )


def refund(key, at, *, refunded, partial=False):
    """A refund of Jane's order 100, as the Saleor adapter records it."""
    flag = {"partial": True} if partial else {}
    return event(
        E.ORDER_REFUNDED,
        key,
        at=at,
        order_id="100",
        total="97.65",
        currency="USD",
        refunded=refunded,
        **flag,
        **JANE,
    )


def test_a_partial_refund_keeps_the_credit_and_the_full_refund_voids_it(
    channels, inbox
):
    # given: a recovered order with the code
    recover_with_code()
    march_to_april = Period(date(2026, 3, 1), date(2026, 5, 1))

    # when: 20.00 of it refunded on 3 April
    refund("order:100:refunded:20.00", T0 + 33 * DAY, refunded="20.00", partial=True)

    # then: still recovered, with its revenue and cost
    assert CampaignAttribution.objects.get().voided_at is None
    kept = compute_campaigns("web-usd", march_to_april).totals
    assert (kept.recovered_orders, kept.recovered_revenue, kept.discount_cost) == (
        1,
        usd("97.65"),
        usd("10.85"),
    )

    # when: the rest refunded on 10 April
    refund("order:100:refunded", T0 + 40 * DAY, refunded="97.65")

    # then: void from the full refund
    assert CampaignAttribution.objects.get().voided_at == T0 + 40 * DAY
    assert compute_campaigns("web-usd", march_to_april).totals == figures(
        sent=2,
        reminded_checkouts=1,
        recovered_checkouts=1,
        recovered_orders=1,
        recovery_rate=Decimal(1),
    )


def test_a_partial_refund_applied_before_its_order_voids_nothing(channels, inbox):
    # given: Jane's reminders, and a partial refund of her order applied
    # before the order itself (out of order)
    remind_jane()
    refund("order:100:refunded:20.00", T0 + 27 * HOUR, refunded="20.00", partial=True)

    # when: the order comes
    order(100, T0 + 26 * HOUR, who=JANE, checkout="t1", total="97.65", currency="USD")

    # then
    assert CampaignAttribution.objects.get().voided_at is None


def test_krw_amounts_have_no_decimals(channels, inbox):
    # given: Sam's win-back email in the won channel (Seoul days)
    email = win_back_sam(channel="web-krw", currency="KRW", total="30000")

    # when: Sam uses its 15% code
    order(
        2,
        LAPSED_AT + DAY,
        who=SAM,
        channel="web-krw",
        total="35000.000",
        currency="KRW",
        coupons=[{"code": email.coupon_code, "discount": "5000.000"}],
    )

    # then
    june = Period(date(2026, 5, 1), date(2026, 7, 1), "Asia/Seoul")
    totals = compute_campaigns("web-krw", june, currency="KRW").totals
    assert totals == CampaignFigures(
        sent=1,
        clicked=0,
        reminded_checkouts=0,
        recovered_checkouts=0,
        recovered_orders=1,
        recovered_revenue=Money(Decimal("35000"), "KRW"),
        recovery_rate=None,
        discount_cost=Money(Decimal("5000"), "KRW"),
        roi=Decimal(6),
    )
    assert str(totals.recovered_revenue.amount) == "35000"


def campaigns_query(client, **token):
    return graphql(
        client,
        CAMPAIGNS_QUERY,
        {"from": "2026-03-01", "to": "2026-04-01"},
        token=issue_token(**token),
    ).json()


def test_journey_report_campaigns_for_staff_with_manage_orders(channels, inbox, client):
    # given: an order recovered with the 10% code
    recover_with_code()

    # when
    answer = campaigns_query(client, permissions=["MANAGE_ORDERS"])

    # then
    recovered = {
        "sent": 2,
        "clicked": 0,
        "remindedCheckouts": 1,
        "recoveredCheckouts": 1,
        "recoveredOrders": 1,
        "recoveredRevenue": {"amount": "97.65", "currency": "USD"},
        "recoveryRate": "1",
        "discountCost": {"amount": "10.85", "currency": "USD"},
        "roi": "8",
    }
    nothing = {
        **recovered,
        "sent": 0,
        "remindedCheckouts": 0,
        "recoveredCheckouts": 0,
        "recoveredOrders": 0,
        "recoveredRevenue": {"amount": "0.00", "currency": "USD"},
        "recoveryRate": None,
        "discountCost": {"amount": "0.00", "currency": "USD"},
        "roi": None,
    }
    report = answer["data"]["journeyReport"]
    assert report["currency"] == "USD"
    assert report["campaigns"]["totals"] == recovered
    assert [
        (row["kind"], row["totals"], [step["step"] for step in row["steps"]])
        for row in report["campaigns"]["kinds"]
    ] == [
        ("ABANDONED_CHECKOUT", recovered, [1, 2, 3]),
        ("WIN_BACK", nothing, [1, 2]),
        ("REVIEW_REQUEST", nothing, [1]),
        ("BROWSE_ABANDONMENT", nothing, [1]),
    ]
    assert report["campaigns"]["kinds"][0]["steps"][1]["totals"] == {
        **recovered,
        "sent": 1,
    }


def test_journey_report_campaigns_need_manage_orders(channels, client):
    # when
    answer = campaigns_query(client, permissions=["MANAGE_USERS"])

    # then
    assert answer["data"] == {"journeyReport": None}
    assert [(e["message"], e["path"]) for e in answer["errors"]] == [
        (
            "You need one of the following permissions: MANAGE_ORDERS",
            ["journeyReport"],
        )
    ]
