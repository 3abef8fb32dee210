"""The store KPIs, exactly, on a hand-built store (see ``store.py``)."""

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from saleor_journey_plugin.core.events import EventType as E
from saleor_journey_plugin.core.processing import drain
from saleor_journey_plugin.models import JourneyEvent
from saleor_journey_plugin.reports import Period, compute_kpis, reference_kpis
from saleor_journey_plugin.reports.results import Money
from saleor_journey_plugin.reports.rollups.state import usable

from .store import ANN, BOB, KRW, NEW_YORK, USD, ny, order, record, seoul

FEBRUARY = Period(date(2026, 2, 1), date(2026, 3, 1), "America/New_York")
THIRD = Decimal(1) / Decimal(3)


def test_every_kpi_of_the_usd_store_in_february(usd_store):
    # when
    kpis = compute_kpis(USD, FEBRUARY)

    # then: Ann, Bob, Cat, Dan, Eve, Fay did something in February; Hal only
    # lapsed (no activity), Gus came on March 1 local time, Bob's account
    # creation is customer-wide and counts nowhere
    assert kpis.active_customers == 6
    # c-ann, c-bob, c-cat, c-dan started; all but Cat's became orders (Dan's
    # was cancelled later, it still became an order)
    assert kpis.checkouts_started == 4
    assert kpis.checkouts_converted == 3
    assert kpis.cart_abandonment_rate == Decimal("0.25")
    # #2, #3, #4 (cancelled), #6, #7 (23:30 on Feb 28 in New York)
    assert kpis.orders == 5
    assert kpis.buyers == 5
    assert kpis.conversion_rate == Decimal(5) / Decimal(6)
    # gross: 20 + 50 + 40 + 10 (not #4, cancelled) = 120; refunds: #1 (30, a
    # January order) and #3 (50); #4's refund is not subtracted, its
    # cancellation already kept it out
    assert kpis.currency == "USD"
    assert kpis.revenue == Money(Decimal("40.00"), "USD")
    assert kpis.average_order_value == Money(Decimal("30.00"), "USD")
    # Ann (#1 in January) and Eve (#5 in November) had ordered before
    assert kpis.returning_customer_rate == Decimal("0.4")
    # ever, to Mar 1: Ann and Eve have 2 orders; Bob, Dan, Fay, Hal 1
    assert kpis.repeat_purchase_rate == THIRD
    # all time: 25 + 35 + 30 + 20 + 50 + 40 + 10 - 30 - 50 = 130 over 6 buyers
    assert kpis.average_customer_value == Money(Decimal("21.67"), "USD")
    # ratings 5, 2, 4
    assert kpis.reviews == 3
    assert kpis.csat == Decimal(2) / Decimal(3)
    assert kpis.lapsed_customers == 2
    assert kpis.win_backs == 1


def test_money_keeps_the_currencys_decimal_places(usd_store):
    # when
    kpis = compute_kpis(USD, FEBRUARY)

    # then: "20.000" is read as 20.00
    assert kpis.revenue is not None
    assert kpis.revenue.amount.as_tuple().exponent == -2
    assert str(kpis.revenue.amount) == "40.00"


def test_an_order_at_2330_local_on_the_last_day_is_in_and_at_0030_next_day_out(
    usd_store,
):
    # given: Fay's order is at 04:30 UTC on Mar 1, Gus's at 05:30 UTC
    last_day = Period(date(2026, 2, 28), date(2026, 3, 1), "America/New_York")
    next_day = Period(date(2026, 3, 1), date(2026, 3, 2), "America/New_York")
    in_utc = Period(date(2026, 2, 28), date(2026, 3, 1), "UTC")

    # when
    on_the_last_day = compute_kpis(USD, last_day)
    on_the_next_day = compute_kpis(USD, next_day)
    by_utc_days = compute_kpis(USD, in_utc)

    # then
    assert on_the_last_day.orders == 1
    assert on_the_last_day.revenue == Money(Decimal("10.00"), "USD")
    assert on_the_next_day.orders == 1
    assert on_the_next_day.revenue == Money(Decimal("99.00"), "USD")
    assert by_utc_days.orders == 0


def test_a_channel_with_no_data_has_zeros_and_nulls(usd_store):
    # when
    kpis = compute_kpis("web-eur", FEBRUARY)
    named = compute_kpis("web-eur", FEBRUARY, currency="eur")

    # then: no division by zero anywhere; without a currency there is no money
    assert kpis.currency is None
    assert (kpis.active_customers, kpis.checkouts_started, kpis.orders) == (0, 0, 0)
    assert (kpis.checkouts_converted, kpis.buyers, kpis.reviews) == (0, 0, 0)
    assert (kpis.lapsed_customers, kpis.win_backs) == (0, 0)
    assert kpis.cart_abandonment_rate is None
    assert kpis.conversion_rate is None
    assert kpis.returning_customer_rate is None
    assert kpis.repeat_purchase_rate is None
    assert kpis.csat is None
    assert kpis.revenue is None
    assert kpis.average_order_value is None
    assert kpis.average_customer_value is None
    # then: a named currency makes revenue a zero in it
    assert named.currency == "EUR"
    assert named.revenue == Money(Decimal("0.00"), "EUR")
    assert named.average_order_value is None


def test_krw_amounts_have_no_decimals_and_seoul_days(db):
    # given: Seoul is UTC+9; the last order is at 00:30 on Mar 1 in Seoul
    order(
        E.ORDER_PLACED,
        11,
        seoul(2026, 2, 1, 0, 10),
        ANN,
        "15000.000",
        currency="KRW",
        channel=KRW,
    )
    order(
        E.ORDER_PLACED,
        12,
        seoul(2026, 2, 28, 23, 30),
        BOB,
        "32001",
        currency="KRW",
        channel=KRW,
    )
    order(
        E.ORDER_PLACED,
        13,
        seoul(2026, 3, 1, 0, 30),
        BOB,
        "5000",
        currency="KRW",
        channel=KRW,
    )
    drain()
    february = Period(date(2026, 2, 1), date(2026, 3, 1), "Asia/Seoul")

    # when
    kpis = compute_kpis(KRW, february)

    # then: 47001 won over 2 orders is 23500.5, rounded half up to 23501
    assert kpis.orders == 2
    assert kpis.currency == "KRW"
    assert kpis.revenue == Money(Decimal("47001"), "KRW")
    assert kpis.revenue is not None
    assert kpis.revenue.amount.as_tuple().exponent == 0
    assert kpis.average_order_value == Money(Decimal("23501"), "KRW")
    # Bob's second order (#13) is after the period: no one has two yet
    assert kpis.repeat_purchase_rate == Decimal(0)


def test_orders_of_another_channel_and_waiting_events_are_kept_apart(usd_store):
    # given: an order in the KRW channel, and one in USD not processed yet
    order(
        E.ORDER_PLACED,
        21,
        ny(2026, 2, 14, 9, 0),
        ANN,
        "7000",
        currency="KRW",
        channel=KRW,
    )
    drain()
    order(E.ORDER_PLACED, 22, ny(2026, 2, 14, 10, 0), BOB, "5.00")

    # when
    kpis = compute_kpis(USD, FEBRUARY)

    # then: the KRW order is not USD's, and the waiting one counts once the
    # drain has applied it (the figures always match what the drain applied)
    assert kpis.orders == 5
    assert kpis.buyers == 5
    assert kpis.revenue == Money(Decimal("40.00"), "USD")

    drain()
    applied = compute_kpis(USD, FEBRUARY)
    assert applied.orders == 6
    assert applied.buyers == 5  # Bob had bought already
    assert applied.revenue == Money(Decimal("45.00"), "USD")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_orders_and_revenue_agree_with_a_direct_count_of_a_random_mix(db, seed):
    # given: a random mix of orders, cancellations and refunds around a
    # period in Seoul, in two channels
    rng = random.Random(seed)
    period = Period(date(2026, 1, 10), date(2026, 1, 20), "Asia/Seoul")
    start = seoul(2026, 1, 8)
    expected_orders = 0
    gross: dict[int, Decimal] = {}
    cancelled: set[int] = set()
    refunded: dict[int, Decimal] = {}
    for number in range(1, 121):
        channel = rng.choice([KRW, KRW, USD])
        at = start + timedelta(minutes=rng.randrange(14 * 24 * 60))
        total = Decimal(rng.randrange(1000, 90000))
        who = {"email": f"shopper{rng.randrange(30)}@example.com"}
        order(
            E.ORDER_PLACED, number, at, who, str(total), currency="KRW", channel=channel
        )
        inside = period.start_utc <= at < period.end_utc
        if channel == KRW and inside:
            expected_orders += 1
            gross[number] = total
        if rng.random() < 0.2:
            later = at + timedelta(hours=rng.randrange(1, 200))
            order(
                E.ORDER_CANCELLED,
                number,
                later,
                who,
                str(total),
                currency="KRW",
                channel=channel,
            )
            if channel == KRW and later < period.end_utc:
                cancelled.add(number)
        if rng.random() < 0.2:
            later = at + timedelta(hours=rng.randrange(1, 200))
            order(
                E.ORDER_REFUNDED,
                number,
                later,
                who,
                str(total),
                currency="KRW",
                channel=channel,
            )
            if channel == KRW and period.start_utc <= later < period.end_utc:
                refunded[number] = total
    drain()

    # when
    kpis = compute_kpis(KRW, period)

    # then
    direct = JourneyEvent.objects.filter(
        channel=KRW,
        type=E.ORDER_PLACED.value,
        occurred_at__gte=period.start_utc,
        occurred_at__lt=period.end_utc,
    ).count()
    assert kpis.orders == expected_orders == direct
    revenue = sum(
        (t for n, t in gross.items() if n not in cancelled), Decimal(0)
    ) - sum((t for n, t in refunded.items() if n not in cancelled), Decimal(0))
    assert kpis.revenue == Money(revenue, "KRW")


def test_a_review_and_a_visit_record_the_same_customer_once(db):
    # given: Ann visits twice and reviews once in one day, in New York
    record(E.VISIT, "visit:1", ny(2026, 2, 3, 9, 0), ANN)
    record(E.VISIT, "visit:2", ny(2026, 2, 3, 10, 0), ANN)
    record(
        E.REVIEW_SUBMITTED,
        "review:1",
        ny(2026, 2, 3, 11, 0),
        ANN,
        payload={"rating": 3},
    )
    drain()

    # when
    kpis = compute_kpis(USD, Period(date(2026, 2, 3), date(2026, 2, 4), NEW_YORK.key))

    # then: a 3 is a review but not a satisfied one
    assert kpis.active_customers == 1
    assert kpis.reviews == 1
    assert kpis.csat == Decimal(0)
    assert kpis.conversion_rate == Decimal(0)


@pytest.mark.parametrize(
    ("first", "end", "reviews", "csat"),
    [
        # Ann's 2 is not edited yet; Bob's 5
        (date(2026, 2, 1), date(2026, 2, 8), 2, Decimal("0.5")),
        # Ann's edit to 5 on Feb 10
        (date(2026, 2, 1), date(2026, 2, 15), 2, Decimal(1)),
        # Ann's second edit, to 3, on Feb 20
        (date(2026, 2, 1), date(2026, 3, 1), 2, Decimal("0.5")),
        # Bob's edit to 1 on Mar 2
        (date(2026, 2, 1), date(2026, 3, 5), 2, Decimal(0)),
        # edits alone are not reviews received
        (date(2026, 2, 9), date(2026, 3, 5), 0, None),
    ],
)
def test_an_edited_review_counts_once_with_its_latest_rating_before_the_end(
    db, first, end, reviews, csat
):
    # given: Ann rates 2 on Feb 3, edits it to 5, then to 3; Bob rates 5 on
    # Feb 4 and edits it to 1 in March (UTC, the channel's zone)
    def review(kind, key, day, who, rating, review_id):
        at = datetime(2026, *day, 12, 0, tzinfo=UTC)
        payload = {"rating": rating, "review_id": review_id}
        record(kind, key, at, who, payload=payload)

    review(E.REVIEW_SUBMITTED, "review:r1", (2, 3), ANN, 2, "r1")
    review(E.REVIEW_EDITED, "review:r1:v2", (2, 10), ANN, 5, "r1")
    review(E.REVIEW_EDITED, "review:r1:v3", (2, 20), ANN, 3, "r1")
    review(E.REVIEW_SUBMITTED, "review:r2", (2, 4), BOB, 5, "r2")
    review(E.REVIEW_EDITED, "review:r2:v2", (3, 2), BOB, 1, "r2")
    drain()
    period = Period(first, end, "UTC")

    # when
    kpis = compute_kpis(USD, period)

    # then: from the rollups, as from the event log
    assert usable(USD, period)
    assert (kpis.reviews, kpis.csat) == (reviews, csat)
    assert kpis == reference_kpis(USD, period)


def test_a_deleted_customers_orders_stay_in_the_store_figures(usd_store):
    # given: Bob's account is deleted on Mar 2; his events keep their totals
    # and the store's order and checkout ids, and lose his identity
    record(E.CUSTOMER_DELETED, "user:2:deleted", ny(2026, 3, 2, 9, 0), BOB, channel="")
    drain()

    # when
    kpis = compute_kpis(USD, FEBRUARY)

    # then: #3 and its refund still count; Bob is no longer a customer
    assert kpis.orders == 5
    assert kpis.revenue == Money(Decimal("40.00"), "USD")
    assert kpis.buyers == 4
    assert kpis.active_customers == 5
    assert kpis.checkouts_started == 4
    # the checkout token is the store's id, not Bob's: still converted
    assert kpis.checkouts_converted == 3
    assert kpis.reviews == 3
