"""The main figures per day, week (from Monday) and month."""

from datetime import date
from decimal import Decimal

import pytest

from saleor_journey_plugin.reports import Period, compute_kpis, compute_series
from saleor_journey_plugin.reports.results import Money

from .store import USD


def usd(amount: str) -> Money:
    return Money(Decimal(amount), "USD")


def rows(series):
    return [
        (
            b.start,
            b.end,
            b.active_customers,
            b.checkouts_started,
            b.orders,
            b.buyers,
            b.revenue,
        )
        for b in series.buckets
    ]


def test_weeks_start_on_monday_and_cross_the_month_boundary(usd_store):
    # given: three weeks from Monday Feb 16, New York time. Week 1: Bob's
    # refund of #3 (50.00) and his review. Week 2 (Feb 23 to Mar 2): Eve's #6
    # (40.00), Fay's #7 (10.00, Feb 28) and Gus's #8 (99.00, Mar 1). Week 3:
    # nothing.
    period = Period(date(2026, 2, 16), date(2026, 3, 9), "America/New_York")

    # when
    series = compute_series(USD, period, interval="week")

    # then
    assert series.currency == "USD"
    assert rows(series) == [
        (date(2026, 2, 16), date(2026, 2, 23), 1, 0, 0, 0, usd("-50.00")),
        (date(2026, 2, 23), date(2026, 3, 2), 3, 0, 3, 3, usd("149.00")),
        (date(2026, 3, 2), date(2026, 3, 9), 0, 0, 0, 0, usd("0.00")),
    ]
    # and the revenue adds up to the period's
    assert compute_kpis(USD, period).revenue == usd("99.00")


def test_week_buckets_are_clipped_to_the_period(usd_store):
    # given: February 2026 starts on a Sunday
    february = Period(date(2026, 2, 1), date(2026, 3, 1), "America/New_York")

    # when
    series = compute_series(USD, february, interval="week")

    # then: Bob visits on Monday Feb 2, Ann and Bob check out that week,
    # Cat and Dan the next one
    assert [(b.start, b.end) for b in series.buckets] == [
        (date(2026, 2, 1), date(2026, 2, 2)),
        (date(2026, 2, 2), date(2026, 2, 9)),
        (date(2026, 2, 9), date(2026, 2, 16)),
        (date(2026, 2, 16), date(2026, 2, 23)),
        (date(2026, 2, 23), date(2026, 3, 1)),
    ]
    assert [b.checkouts_started for b in series.buckets] == [0, 2, 2, 0, 0]
    assert [b.orders for b in series.buckets] == [0, 2, 1, 0, 2]
    assert sum(b.orders for b in series.buckets) == compute_kpis(USD, february).orders


def test_days_follow_the_channels_time_zone(usd_store):
    # given: Fay's order at 23:30 on Feb 28 and Gus's at 00:30 on Mar 1,
    # New York time (both on Mar 1 in UTC)
    period = Period(date(2026, 2, 28), date(2026, 3, 2), "America/New_York")

    # when
    series = compute_series(USD, period)

    # then
    assert rows(series) == [
        (date(2026, 2, 28), date(2026, 3, 1), 1, 0, 1, 1, usd("10.00")),
        (date(2026, 3, 1), date(2026, 3, 2), 1, 0, 1, 1, usd("99.00")),
    ]


def test_months_and_the_periods_revenue(usd_store):
    # given: January: Ann's #1 (30.00); February: see the KPI test (40.00)
    period = Period(date(2026, 1, 1), date(2026, 3, 1), "America/New_York")

    # when
    series = compute_series(USD, period, interval="month")

    # then
    assert rows(series) == [
        (date(2026, 1, 1), date(2026, 2, 1), 1, 0, 1, 1, usd("30.00")),
        (date(2026, 2, 1), date(2026, 3, 1), 6, 4, 5, 5, usd("40.00")),
    ]


def test_series_of_an_empty_channel_has_zero_buckets(db):
    # given
    period = Period(date(2026, 1, 30), date(2026, 2, 2), "Asia/Seoul")

    # when
    without_currency = compute_series("web-eur", period)
    in_euros = compute_series("web-eur", period, currency="EUR")

    # then
    assert rows(without_currency) == [
        (date(2026, 1, 30), date(2026, 1, 31), 0, 0, 0, 0, None),
        (date(2026, 1, 31), date(2026, 2, 1), 0, 0, 0, 0, None),
        (date(2026, 2, 1), date(2026, 2, 2), 0, 0, 0, 0, None),
    ]
    assert {b.revenue for b in in_euros.buckets} == {Money(Decimal("0.00"), "EUR")}


def test_series_names_a_wrong_interval(db):
    # given
    period = Period(date(2026, 1, 1), date(2026, 2, 1))

    # when / then
    with pytest.raises(ValueError, match="`interval`"):
        compute_series(USD, period, interval="hour")
