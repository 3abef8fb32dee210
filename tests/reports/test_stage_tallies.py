"""Time in stage, funnel steps and lapses from the day-and-month tallies.

A period in New York is read as whole UTC months, whole UTC days and the
partial UTC days at its ends; a median is read exactly inside the duration
bucket that holds it. Checked by hand here; ``test_rollups.py`` checks them
against the reference on random stores.
"""

import math
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from typing import Any

from saleor_journey_plugin.core.events import EventType
from saleor_journey_plugin.core.processing import drain
from saleor_journey_plugin.core.stages import Stage
from saleor_journey_plugin.reports import (
    Period,
    reference_funnel,
    reference_time_in_stage,
)
from saleor_journey_plugin.reports.rates import MEDIAN, P90
from saleor_journey_plugin.reports.rollups.durations import locate
from saleor_journey_plugin.reports.rollups.funnel import rollup_funnel
from saleor_journey_plugin.reports.rollups.models import (
    RollupLeftDuration,
    RollupStepDuration,
)
from saleor_journey_plugin.reports.rollups.spans import Spans
from saleor_journey_plugin.reports.rollups.state import usable
from saleor_journey_plugin.reports.rollups.time_in_stage import rollup_time_in_stage

from .store import USD, ny, record

E = EventType


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def bucket(duration: timedelta) -> int:
    """``journey_duration_bucket``, in Python."""
    return math.floor(20 * math.log(1 + duration.total_seconds()))


# --- splitting a period ---


def tally_spans(params: dict[str, Any]) -> list[tuple[str, date, date]]:
    """The tallies' (grain, first day, end day) read, empty ones left out."""
    spans = [
        ("M", params["months_first"], params["months_end"]),
        ("D", params["days_first"], params["months_first"]),
        ("D", params["months_end"], params["days_end"]),
    ]
    return [(grain, first, end) for grain, first, end in spans if first < end]


def partial_days(params: dict[str, Any]) -> list[tuple[datetime, datetime]]:
    return [(params[f"{end}_low"], params[f"{end}_high"]) for end in ("head", "tail")]


def test_a_new_york_year_is_eleven_months_thirty_days_and_two_partial_days():
    # given: Dec 3, 2025 to Dec 3, 2026 in New York (05:00 UTC to 05:00 UTC)
    spans = Spans(Period(date(2025, 12, 3), date(2026, 12, 3), "America/New_York"))

    # when
    params = spans.params()

    # then
    assert tally_spans(params) == [
        ("M", date(2026, 1, 1), date(2026, 12, 1)),
        ("D", date(2025, 12, 4), date(2026, 1, 1)),
        ("D", date(2026, 12, 1), date(2026, 12, 3)),
    ]
    assert partial_days(params) == [
        (utc(2025, 12, 3, 5), utc(2025, 12, 4)),
        (utc(2026, 12, 3), utc(2026, 12, 3, 5)),
    ]
    assert (params["whole_start"], params["whole_end"]) == (
        utc(2025, 12, 4),
        utc(2026, 12, 3),
    )


def test_a_utc_month_is_one_month_and_its_partial_days_are_empty():
    # when
    params = Spans(Period(date(2026, 2, 1), date(2026, 3, 1), "UTC")).params()

    # then
    assert tally_spans(params) == [("M", date(2026, 2, 1), date(2026, 3, 1))]
    assert partial_days(params) == [
        (utc(2026, 2, 1), utc(2026, 2, 1)),
        (utc(2026, 3, 1), utc(2026, 3, 1)),
    ]


def test_a_day_in_seoul_has_no_whole_utc_day_and_is_read_from_rows():
    # given: Mar 8 in Seoul is 15:00 UTC on Mar 7 to 15:00 UTC on Mar 8
    params = Spans(Period(date(2026, 3, 8), date(2026, 3, 9), "Asia/Seoul")).params()

    # then
    assert tally_spans(params) == []
    assert partial_days(params) == [
        (utc(2026, 3, 7, 15), utc(2026, 3, 8, 15)),
        (utc(2026, 3, 8, 15), utc(2026, 3, 8, 15)),
    ]
    assert params["whole_start"] == params["whole_end"]


# --- finding the bucket of a rank ---


def test_a_quantile_is_found_in_its_bucket_with_its_rank_there():
    # given: 7 durations in buckets 3 (2), 5 (1) and 9 (4)
    counts = {9: 4, 3: 2, 5: 1}

    # when
    total, found = locate(counts, [MEDIAN, P90, Fraction(1, 7)])

    # then: the 4th, 7th and 1st smallest
    assert total == 7
    assert found == [(9, 1), (9, 4), (3, 1)]


def test_no_durations_have_no_quantile():
    assert locate({}, [MEDIAN]) == (0, [None])
    assert locate({4: 0}, [MEDIAN]) == (0, [None])


# --- the reports, by hand ---


def three_visitors_view_a_product() -> None:
    """Ann visits on Jan 10 and views a product an hour later; Bob on Feb 14,
    three days later; Cat at 22:00 on Mar 31 (02:00 UTC on Apr 1), an hour and
    a half later."""
    visits = [
        ("ann", ny(2026, 1, 10, 7, 0), timedelta(hours=1)),
        ("bob", ny(2026, 2, 14, 9, 0), timedelta(days=3)),
        ("cat", ny(2026, 3, 31, 22, 0), timedelta(hours=1, minutes=30)),
    ]
    for name, at, after in visits:
        who = {"email": f"{name}@example.com"}
        record(E.VISIT, f"visit:{name}", at, who)
        record(E.PRODUCT_VIEWED, f"view:{name}", at + after, who)
    drain()


def left(
    period: Period, stage: Stage
) -> tuple[int, timedelta | None, timedelta | None]:
    report = rollup_time_in_stage(USD, period)
    (row,) = [row for row in report.stages if row.stage is stage]
    return row.left.count, row.left.median, row.left.p90


def test_the_time_out_of_a_stage_is_tallied_per_utc_day_and_month(new_york):
    # when
    three_visitors_view_a_product()

    # then: Cat's view is on Apr 1 in UTC
    tallied = {
        (row.grain, row.day, row.stage, row.bucket): row.transitions
        for row in RollupLeftDuration.objects.filter(channel=USD)
    }
    hour, days, hour_and_half = (
        bucket(timedelta(hours=1)),
        bucket(timedelta(days=3)),
        bucket(timedelta(hours=1, minutes=30)),
    )
    assert (hour, hour_and_half, days) == (163, 171, 249)
    assert tallied == {
        ("D", date(2026, 1, 10), "AWARENESS", hour): 1,
        ("M", date(2026, 1, 1), "AWARENESS", hour): 1,
        ("D", date(2026, 2, 17), "AWARENESS", days): 1,
        ("M", date(2026, 2, 1), "AWARENESS", days): 1,
        ("D", date(2026, 4, 1), "AWARENESS", hour_and_half): 1,
        ("M", date(2026, 4, 1), "AWARENESS", hour_and_half): 1,
    }


def test_a_quarter_in_new_york_counts_the_view_on_its_last_evening(new_york):
    # given: Jan 1 to Apr 1 in New York: January's first UTC hours and Apr 1
    # until 04:00 UTC are partial days, February and March whole months
    three_visitors_view_a_product()
    quarter = Period(date(2026, 1, 1), date(2026, 4, 1), "America/New_York")
    assert usable(USD, quarter)

    # when / then: 1 h, 1 h 30 and 3 days; the median is the 2nd, the 90th
    # percentile the 3rd
    assert left(quarter, Stage.AWARENESS) == (
        3,
        timedelta(hours=1, minutes=30),
        timedelta(days=3),
    )
    assert rollup_time_in_stage(USD, quarter) == reference_time_in_stage(USD, quarter)
    funnel = rollup_funnel(USD, quarter)
    assert funnel.entered == 3
    assert [(s.label, s.customers, s.median_time_from_previous) for s in funnel.steps][
        :2
    ] == [
        ("AWARENESS", 3, None),
        ("INTEREST", 3, timedelta(hours=1, minutes=30)),
    ]
    assert funnel == reference_funnel(USD, quarter)


def test_a_period_ending_the_day_before_leaves_out_the_last_evening(new_york):
    # given: Jan 1 to Mar 31 in New York ends at 04:00 UTC on Mar 31
    three_visitors_view_a_product()
    period = Period(date(2026, 1, 1), date(2026, 3, 31), "America/New_York")

    # when / then: 1 h and 3 days
    assert left(period, Stage.AWARENESS) == (2, timedelta(hours=1), timedelta(days=3))
    assert rollup_time_in_stage(USD, period) == reference_time_in_stage(USD, period)
    assert rollup_funnel(USD, period) == reference_funnel(USD, period)


def test_a_cohort_that_moved_on_after_the_end_has_not_reached_the_step(new_york):
    # given: Feb 1 to Feb 16 in New York: Bob visited on Feb 14 and viewed a
    # product on Feb 17
    three_visitors_view_a_product()
    period = Period(date(2026, 2, 1), date(2026, 2, 16), "America/New_York")
    assert RollupStepDuration.objects.filter(
        channel=USD, grain="D", day=date(2026, 2, 14), to_stage="INTEREST"
    ).values_list("transitions", flat=True)[::1] == [1]

    # when
    funnel = rollup_funnel(USD, period)

    # then: the tallies count his view, the report takes it away again
    assert funnel.entered == 1
    assert [(s.customers, s.median_time_from_previous) for s in funnel.steps][:2] == [
        (1, None),
        (0, None),
    ]
    assert funnel == reference_funnel(USD, period)
