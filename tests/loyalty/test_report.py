"""The loyalty report: points in and out over a period, the liability at its end,
members per tier; exact figures from a hand-built ledger."""

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from example_store.host import issue_token
from saleor_journey_plugin.loyalty import customers, ledger
from saleor_journey_plugin.loyalty.models import LedgerEntry
from saleor_journey_plugin.loyalty.report import (
    LoyaltyReport,
    TierMembers,
    compute_loyalty,
)
from saleor_journey_plugin.loyalty.settings import Tier
from saleor_journey_plugin.models import Customer
from saleor_journey_plugin.reports import Period, runner
from saleor_journey_plugin.reports.results import Money

from ..graphql.api import graphql
from .conftest import CHANNEL, money, with_
from .test_graphql import loyalty_on

KRW = "web-krw"
SEOUL = ZoneInfo("Asia/Seoul")
MARCH = Period(date(2026, 3, 1), date(2026, 4, 1), "Asia/Seoul")
FEBRUARY = Period(date(2026, 2, 1), date(2026, 3, 1), "Asia/Seoul")
# A won store: 1 point a won, worth 0.015 won each (so that rounding shows).
WON = with_(
    point_value=Decimal("0.015"),
    tiers=(
        Tier("Bronze", 0, Decimal(1)),
        Tier("Silver", 100_000, Decimal("1.25")),
        Tier("Gold", 500_000, Decimal("1.5")),
    ),
)


def tiers(bronze: int, silver: int, gold: int, *, silver_at=500, gold_at=1500):
    """Members of the three tiers, Bronze from 0 (the default thresholds)."""
    return (
        TierMembers("Bronze", 0, bronze),
        TierMembers("Silver", silver_at, silver),
        TierMembers("Gold", gold_at, gold),
    )


def seoul(*args) -> datetime:
    return datetime(*args, tzinfo=SEOUL)


def person(name: str) -> int:
    return Customer.objects.create(email=f"{name}@example.com").pk


def code(value: Decimal) -> str:
    return f"CODE-{value}"


@pytest.fixture
def won_ledger(db):
    """Five customers of a won store around March 2026 in Seoul.

    - Dan earned 5,000 on 2025-03-03; they expire on 2026-03-03, in March.
    - Ann earns 100,000 on Feb 28 at 23:30 in Seoul (before March), then in
      March, as Silver, 20,000 won x 1.25 = 25,000 and 50 for a review, and
      redeems 30,000.
    - Bob earns 40,000 at 00:30 on March 1 in Seoul (still Feb 28 in UTC: in
      March), half his order is refunded (20,000 back), he redeems 10,000 at
      23:30 on March 31 and earns again at midnight on April 1 (after March).
    - Carol gets 1,000 from staff and loses 200 to a correction.
    - Eve's first points come half an hour into April.
    """
    ann, bob, carol, dan, eve = (person(n) for n in ("ann", "bob", "c", "d", "e"))
    earn = ledger.earn_for_order
    earn(KRW, dan, "o0", money("5000"), WON, seoul(2025, 3, 3, 12, 0))
    earn(KRW, ann, "o1", money("100000.50"), WON, seoul(2026, 2, 28, 23, 30))
    earn(KRW, bob, "o2", money("40000"), WON, seoul(2026, 3, 1, 0, 30))
    earn(KRW, ann, "o3", money("20000"), WON, seoul(2026, 3, 5, 10, 0))
    ledger.earn_for_review(KRW, ann, "p1", "r1", WON, seoul(2026, 3, 6, 9, 0))
    ledger.redeem(KRW, ann, 30_000, WON, code, at=seoul(2026, 3, 10, 12, 0))
    ledger.reverse_for_refund(
        KRW, bob, "o2", money("20000"), money("40000"), "20000", seoul(2026, 3, 12)
    )
    ledger.adjust(KRW, carol, 1000, "welcome", "7", "a1", at=seoul(2026, 3, 15))
    ledger.adjust(KRW, carol, -200, "typo", "7", "a2", at=seoul(2026, 3, 20))
    ledger.redeem(KRW, bob, 10_000, WON, code, at=seoul(2026, 3, 31, 23, 30))
    earn(KRW, bob, "o4", money("3000"), WON, seoul(2026, 4, 1, 0, 0))
    earn(KRW, eve, "o5", money("3000"), WON, seoul(2026, 4, 1, 0, 30))
    assert ledger.expire_due(now=datetime(2026, 4, 2, tzinfo=UTC)) == 1


def test_a_month_in_seoul_counts_what_happened_in_its_local_days(won_ledger):
    # when
    report = compute_loyalty(KRW, MARCH, currency="KRW", settings=WON)

    # then: issued 40,000 + 25,000 + 50 + 1,000; taken back 20,000 + 200;
    # outstanding: Ann 95,050, Bob 10,000, Carol 800, Dan 0 = 105,850 points,
    # worth 1,587.75 won: 1,588 (won have no decimals; half up)
    assert report == LoyaltyReport(
        channel=KRW,
        period=MARCH,
        currency="KRW",
        issued=66_050,
        redeemed=40_000,
        expired=5_000,
        reversed=20_200,
        outstanding=105_850,
        outstanding_value=Money(Decimal("1588"), "KRW"),
        redemption_rate=Decimal("0.6056018168054504163512490537"),
        members=4,
        # Ann earned 125,050 in the 365 days to April 1 (Silver); Bob 40,000
        # less the 20,000 refunded; Carol's points are staff's, not earned;
        # Dan's earning is older than 365 days. Eve joined after March.
        tiers=tiers(3, 1, 0, silver_at=100_000, gold_at=500_000),
    )


def test_the_months_figures_carry_the_outstanding_points_forward(won_ledger):
    # when
    february = compute_loyalty(KRW, FEBRUARY, currency="KRW", settings=WON)
    march = compute_loyalty(KRW, MARCH, currency="KRW", settings=WON)

    # then: February issued Ann's 100,000; Dan's 5,000 were still unspent
    assert (february.issued, february.outstanding, february.members) == (
        100_000,
        105_000,
        2,
    )
    assert february.redemption_rate == 0
    assert march.outstanding == (
        february.outstanding
        + march.issued
        - march.redeemed
        - march.expired
        - march.reversed
    )


def test_two_decimal_money_erased_customers_and_a_capped_reversal(db):
    # given: Ann earns 1,000 and redeems 800 before her order is refunded in
    # full (only 200 left to take back); Bob earns 250 and is then erased
    ann, bob = person("ann"), person("bob")
    at = datetime(2026, 3, 2, 12, tzinfo=UTC)
    on = with_()
    ledger.earn_for_order(CHANNEL, ann, "o1", money("1000.00"), on, at)
    ledger.redeem(CHANNEL, ann, 800, on, code, at=at.replace(hour=13))
    ledger.reverse_for_refund(
        CHANNEL, ann, "o1", money("1000.00"), money("1000.00"), "full", at
    )
    ledger.earn_for_order(CHANNEL, bob, "o2", money("250.75"), on, at)
    customers.forget([bob], "", "bob@example.com")

    # when
    report = compute_loyalty(
        CHANNEL, Period(date(2026, 3, 1), date(2026, 3, 8)), currency="USD"
    )

    # then: the reversal counts the 200 points it took; Bob's 250 are still
    # owed (the store keeps erased amounts) but he is nobody's member; Ann
    # earned 1,000 less 200 in the window: Silver
    assert report == LoyaltyReport(
        channel=CHANNEL,
        period=report.period,
        currency="USD",
        issued=1_250,
        redeemed=800,
        expired=0,
        reversed=200,
        outstanding=250,
        outstanding_value=Money(Decimal("2.50"), "USD"),
        redemption_rate=Decimal("0.64"),
        members=1,
        tiers=tiers(0, 1, 0),
    )


@pytest.mark.parametrize(
    ("currency", "value"),
    [("KRW", Money(Decimal("0"), "KRW")), ("USD", Money(Decimal("0.00"), "USD"))],
)
def test_a_channel_without_loyalty_data_has_zeros_and_no_rate(db, currency, value):
    # when
    report = compute_loyalty(CHANNEL, MARCH, currency=currency)

    # then: every configured tier is listed, empty; no rate without issued points
    assert report == LoyaltyReport(
        channel=CHANNEL,
        period=MARCH,
        currency=currency,
        issued=0,
        redeemed=0,
        expired=0,
        reversed=0,
        outstanding=0,
        outstanding_value=value,
        redemption_rate=None,
        members=0,
        tiers=tiers(0, 0, 0),
    )


def test_without_a_currency_or_an_order_the_points_have_no_money_value(db):
    # given: points, but no currency named and no order event in the channel
    ann = person("ann")
    ledger.adjust(CHANNEL, ann, 300, "welcome", "7", "a1", at=MARCH.start_utc)

    # when
    report = runner("loyalty")(CHANNEL, MARCH)

    # then: one tier only is still a list of one
    assert (report.currency, report.outstanding, report.outstanding_value) == (
        None,
        300,
        None,
    )
    assert report.tiers == tiers(1, 0, 0)
    single = with_(tiers=(Tier("Member", 0, Decimal(1)),))
    assert compute_loyalty(CHANNEL, MARCH, settings=single).tiers == (
        TierMembers("Member", 0, 1),
    )


LOYALTY_REPORT = (
    Path(__file__).resolve().parents[2]
    / "graphql"
    / "examples"
    / "loyalty_report.graphql"
).read_text(encoding="utf-8")


def test_staff_read_the_report_in_the_channels_days_currency_and_tiers(
    won_ledger, settings, client
):
    # given: the won store's settings as dashboard fields
    loyalty_on(
        settings,
        KRW,
        point_value="0.015",
        tiers="Bronze:0:1, Silver:100000:1.25, Gold:500000:1.5",
    )
    staff = issue_token(permissions=["MANAGE_ORDERS"])

    # when
    response = graphql(
        client,
        LOYALTY_REPORT,
        {"from": "2026-03-01", "to": "2026-04-01"},
        token=staff,
        channel=KRW,
    )

    # then: the figures of March in Seoul, in the API's shape
    assert response.json() == {
        "data": {
            "journeyReport": {
                "from": "2026-03-01",
                "to": "2026-04-01",
                "timeZone": "Asia/Seoul",
                "currency": "KRW",
                "loyalty": {
                    "issued": 66050,
                    "redeemed": 40000,
                    "expired": 5000,
                    "reversed": 20200,
                    "outstanding": 105850,
                    "outstandingValue": {"amount": "1588", "currency": "KRW"},
                    "redemptionRate": "0.6056018168054504163512490537",
                    "members": 4,
                    "tiers": [
                        {"name": "Bronze", "threshold": 0, "members": 3},
                        {"name": "Silver", "threshold": 100000, "members": 1},
                        {"name": "Gold", "threshold": 500000, "members": 0},
                    ],
                },
            }
        }
    }


def test_the_period_sums_read_the_channel_time_index(db):
    # given: the report's query for a period's entries
    period = LedgerEntry.objects.filter(
        channel=CHANNEL,
        occurred_at__gte=MARCH.start_utc,
        occurred_at__lt=MARCH.end_utc,
    ).values("kind", "points")

    # when
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = period.explain()

    # then
    assert "journey_loyalty_channel_time" in plan


def test_a_refund_before_any_points_makes_no_member(db):
    # given: Ann holds points; Bob's order was refunded before it earned (the
    # ledger keeps a 0-point reversal for the earning to take back later)
    ann, bob = person("ann"), person("bob")
    ledger.adjust(CHANNEL, ann, 300, "welcome", "7", "a1", at=MARCH.start_utc)
    ledger.reverse_for_refund(
        CHANNEL,
        bob,
        "order-9",
        Decimal("20"),
        Decimal("40"),
        "refund-1",
        MARCH.start_utc,
    )
    assert (
        LedgerEntry.objects.filter(customer_id=bob)
        .values_list("points", flat=True)
        .get()
        == 0
    )

    # when
    report = compute_loyalty(CHANNEL, MARCH, currency="USD")

    # then: Ann is the one member, in the first tier
    assert (report.members, report.tiers) == (1, tiers(1, 0, 0))
