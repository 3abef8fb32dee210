"""Periods of calendar days in a time zone, and the registry of reports."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from saleor_journey_plugin.reports import Period, names, register, runner
from saleor_journey_plugin.reports.money import decimal_places, quantize
from saleor_journey_plugin.reports.registry import unregister


def test_period_days_start_at_local_midnight():
    # given
    period = Period(date(2026, 2, 1), date(2026, 3, 1), "America/New_York")

    # then
    assert period.start_utc == datetime(2026, 2, 1, 5, 0, tzinfo=UTC)
    assert period.end_utc == datetime(2026, 3, 1, 5, 0, tzinfo=UTC)
    assert period.days == 28


def test_a_day_with_a_daylight_saving_change_has_its_real_length():
    # given: New York springs forward at 02:00 on Mar 8, 2026
    day = Period(date(2026, 3, 8), date(2026, 3, 9), "America/New_York")

    # then
    assert day.start_utc == datetime(2026, 3, 8, 5, 0, tzinfo=UTC)
    assert (day.end_utc - day.start_utc).total_seconds() == 23 * 3600


def test_a_skipped_midnight_starts_the_day_at_the_change():
    # given: Santiago springs forward at midnight on Sep 6, 2026 (to 01:00)
    day = Period(date(2026, 9, 6), date(2026, 9, 7), "America/Santiago")

    # then: 00:00 -04:00 is the instant clocks jumped to 01:00 -03:00
    assert day.start_utc == datetime(2026, 9, 6, 4, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (date(2026, 3, 1), date(2026, 3, 1), "`to`.*later day than `from`"),
        (date(2026, 3, 2), date(2026, 3, 1), "`to`.*later day than `from`"),
        (date(2026, 1, 1), date(2029, 1, 2), "at most 1096 days"),
        (datetime(2026, 1, 1), date(2026, 2, 1), "`from` must be a calendar day"),
        (date(2026, 1, 1), "2026-02-01", "`to` must be a calendar day"),
    ],
)
def test_a_wrong_period_names_the_argument(start, end, message):
    # when / then
    with pytest.raises(ValueError, match=message):
        Period(start, end)


def test_three_years_with_a_leap_day_is_the_longest_period():
    # when
    period = Period(date(2026, 1, 1), date(2029, 1, 1))

    # then
    assert period.days == 1096


@pytest.mark.parametrize("zone", ["Mars/Olympus", "", "../etc/passwd"])
def test_a_wrong_time_zone_is_refused(zone):
    # when / then
    with pytest.raises(ValueError, match="`time_zone`"):
        Period(date(2026, 1, 1), date(2026, 2, 1), zone)


def test_currency_decimal_places():
    # then
    assert [decimal_places(c) for c in ("USD", "KRW", "jpy", "KWD")] == [2, 0, 0, 3]
    assert str(quantize(Decimal("2.005"), "USD")) == "2.01"


BUILT_IN = {"kpis", "funnel", "time_in_stage", "cohorts", "journey_map", "series"}
# Registered by the features' connect() when the app is ready.
REGISTERED = BUILT_IN | {"campaigns", "loyalty"}


def test_the_built_in_reports_are_registered_and_a_feature_can_add_one():
    # given
    def loyalty_report(channel, period):
        return (channel, period.days)

    week = Period(date(2026, 1, 1), date(2026, 1, 8))

    # when
    register("test_loyalty")(loyalty_report)

    # then
    try:
        assert set(names()) == REGISTERED | {"test_loyalty"}
        assert runner("test_loyalty")("web-usd", week) == ("web-usd", 7)
        with pytest.raises(ValueError, match="already registered"):
            register("kpis")(loyalty_report)
        with pytest.raises(LookupError, match="No report named 'nope'"):
            runner("nope")
    finally:
        unregister("test_loyalty")
    assert set(names()) == REGISTERED
