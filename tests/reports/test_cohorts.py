"""Cohort retention by the month of the first order, in the channel's zone."""

from datetime import date
from decimal import Decimal

import pytest

from saleor_journey_plugin.reports import Period, compute_cohorts

from .store import USD

# November 2025 to February 2026, New York time.
FOUR_MONTHS = Period(date(2025, 11, 1), date(2026, 3, 1), "America/New_York")


def cells(cohort):
    return [(cell.k, cell.customers, cell.share) for cell in cohort.cells]


def test_cohorts_by_month_of_first_order(usd_store):
    # given: first orders: Eve (Nov 10) and Hal (Nov 11); Ann (Jan 10); Bob,
    # Dan and Fay in February (Fay's at 23:30 on Feb 28 local, March in UTC);
    # Gus on Mar 1, after the period. Eve ordered again in February (k=3),
    # Ann in February (k=1).

    # when
    report = compute_cohorts(USD, FOUR_MONTHS, months=6)

    # then: months from March 2026 on are not known at the end of the period
    assert report.months == 6
    assert [(c.month, c.customers) for c in report.cohorts] == [
        (date(2025, 11, 1), 2),
        (date(2026, 1, 1), 1),
        (date(2026, 2, 1), 3),
    ]
    november, january, february = report.cohorts
    assert cells(november) == [
        (0, 2, Decimal(1)),
        (1, 0, Decimal(0)),
        (2, 0, Decimal(0)),
        (3, 1, Decimal("0.5")),
        (4, None, None),
        (5, None, None),
    ]
    assert cells(january) == [
        (0, 1, Decimal(1)),
        (1, 1, Decimal(1)),
        (2, None, None),
        (3, None, None),
        (4, None, None),
        (5, None, None),
    ]
    assert cells(february)[:2] == [(0, 3, Decimal(1)), (1, None, None)]


def test_cohorts_are_the_first_orders_in_the_period_only(usd_store):
    # given: February alone; Ann's and Eve's first orders were earlier
    february = Period(date(2026, 2, 1), date(2026, 3, 1), "America/New_York")

    # when
    report = compute_cohorts(USD, february)

    # then: twelve months by default
    assert [(c.month, c.customers) for c in report.cohorts] == [(date(2026, 2, 1), 3)]
    assert len(report.cohorts[0].cells) == 12


def test_cohorts_in_utc_move_fays_first_order_to_march(usd_store):
    # given: the same days in UTC: Fay's 23:30 New York order is 04:30 on Mar 1
    in_utc = Period(date(2025, 11, 1), date(2026, 3, 1), "UTC")

    # when
    report = compute_cohorts(USD, in_utc)

    # then
    assert [(c.month, c.customers) for c in report.cohorts][-1] == (
        date(2026, 2, 1),
        2,
    )


def test_cohorts_of_an_empty_channel(db):
    # when / then
    assert compute_cohorts("web-eur", FOUR_MONTHS).cohorts == ()


@pytest.mark.parametrize("months", [0, 25, True, "12"])
def test_cohorts_name_a_wrong_number_of_months(db, months):
    # when / then
    with pytest.raises(ValueError, match="`months`"):
        compute_cohorts(USD, FOUR_MONTHS, months=months)
