"""Journeys per stage at the end of a period, from the trigger-kept stage days.

The stage days count a journey's latest transition per UTC day of entry; a
period that ends before a journey moved on finds that journey among the
transitions left since the end. Both paths, and the walk over several days
to the median, are checked by hand here; ``test_rollups.py`` checks them
against the reference on random stores.
"""

from datetime import UTC, date, datetime, timedelta

from saleor_journey_plugin.core.events import EventType
from saleor_journey_plugin.core.processing import drain
from saleor_journey_plugin.core.stages import Stage
from saleor_journey_plugin.reports import Period, reference_time_in_stage
from saleor_journey_plugin.reports.rollups.models import RollupStageDay
from saleor_journey_plugin.reports.rollups.state import usable
from saleor_journey_plugin.reports.rollups.time_in_stage import rollup_time_in_stage

from .store import USD, record

E = EventType


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def five_visitors_two_move_on() -> None:
    """Ann to Eve visit on March 1 to 5 (UTC); Dan views a product on March 4
    and Bob on March 7."""
    for day, name in enumerate(["ann", "bob", "cat", "dan", "eve"], start=1):
        record(
            E.VISIT,
            f"visit:{name}",
            utc(2026, 3, day, 9 + day),
            {"email": f"{name}@example.com"},
        )
    record(
        E.PRODUCT_VIEWED, "view:dan", utc(2026, 3, 4, 20), {"email": "dan@example.com"}
    )
    record(
        E.PRODUCT_VIEWED, "view:bob", utc(2026, 3, 7, 9), {"email": "bob@example.com"}
    )
    drain()


def stage_days() -> dict[tuple[str, date], int]:
    return {
        (row.stage, row.day): row.journeys
        for row in RollupStageDay.objects.filter(channel=USD).exclude(journeys=0)
    }


def current(channel_period: Period, stage: Stage) -> tuple[int, timedelta | None]:
    report = rollup_time_in_stage(USD, channel_period)
    (row,) = [row for row in report.stages if row.stage is stage]
    return row.current, row.current_median_age


def test_the_stage_days_count_each_journey_where_it_is_now(db):
    # given / when
    five_visitors_two_move_on()

    # then: Bob and Dan count in INTEREST, on the day they entered it
    assert stage_days() == {
        ("AWARENESS", date(2026, 3, 1)): 1,
        ("AWARENESS", date(2026, 3, 3)): 1,
        ("AWARENESS", date(2026, 3, 5)): 1,
        ("INTEREST", date(2026, 3, 4)): 1,
        ("INTEREST", date(2026, 3, 7)): 1,
    }


def test_the_median_age_walks_back_over_days_to_a_journey_counted_by_day(db):
    # given
    five_visitors_two_move_on()
    period = Period(date(2026, 3, 1), date(2026, 3, 6), "UTC")
    assert usable(USD, period)

    # when / then: Ann, Bob (who moved on after the end), Cat and Eve were
    # aware at the end; the median (2nd latest entry) is Cat's, 2.5 days old
    assert current(period, Stage.AWARENESS) == (4, timedelta(days=2, hours=12))
    assert current(period, Stage.INTEREST) == (1, timedelta(hours=28))
    assert rollup_time_in_stage(USD, period) == reference_time_in_stage(USD, period)


def test_the_median_age_of_a_journey_that_moved_on_after_the_end(db):
    # given
    five_visitors_two_move_on()
    period = Period(date(2026, 3, 1), date(2026, 3, 3), "UTC")

    # when / then: Ann and Bob were aware at the end; the median is Bob's
    # entry, on a day the stage days no longer count him
    assert current(period, Stage.AWARENESS) == (2, timedelta(hours=13))
    assert current(period, Stage.INTEREST) == (0, None)
    assert rollup_time_in_stage(USD, period) == reference_time_in_stage(USD, period)


def test_periods_ending_at_every_midnight_agree_with_the_reference(db):
    # given
    five_visitors_two_move_on()

    # when / then
    for last in range(1, 10):
        period = Period(date(2026, 2, 27), date(2026, 3, last), "UTC")
        assert rollup_time_in_stage(USD, period) == reference_time_in_stage(
            USD, period
        ), period
