"""The funnel and time in stage from the transitions' timeline facts.

``core/timeline.py`` keeps, on every transition, when its journey entered the
stage it left, when it left the stage it entered, its journey's cohort and
furthest stage. A journey's stage at instant ``b`` is then the one transition
with ``occurred_at < b <= left_at`` (or no ``left_at``), found by index.
"""

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import connection

from ...core.stages import RANK, Stage, rank
from ...models import StageTransition
from ..funnel import columns, funnel_steps
from ..period import Period
from ..results import Durations, Funnel, StageTime, TimeInStage
from ..time_in_stage import STAGES
from .models import RollupStageDay

_TRANSITIONS = StageTransition._meta.db_table
_STAGE_DAYS = RollupStageDay._meta.db_table
# The transition each journey was at, at instant %(end)s.
_AT_END = "occurred_at < %(end)s AND (left_at IS NULL OR left_at >= %(end)s)"
# Nearest-rank positions (``rates.nearest_rank``) in integer arithmetic.
_MEDIAN_RANK = "greatest(1, (n + 1) / 2)"
_P90_RANK = "greatest(1, (9 * n + 9) / 10)"
# Durations are sorted as instants, a fixed origin plus the duration: an
# 8-byte value sorts faster than an interval (a year's sorts by about a
# fifth). Without a time zone the addition has no daylight saving shift, so
# the order is the durations' and the origin taken off again gives back the
# very interval.
_ORIGIN = "timestamp '2000-01-01'"


def _as_instant(duration: str) -> str:
    return f"{_ORIGIN} + ({duration})"


def _as_duration(instant: str) -> str:
    return f"{instant} - {_ORIGIN}"


_STEP_AT = _as_instant("t.occurred_at - t.entered_from_at")
_AT = _as_instant("occurred_at - entered_from_at")

REACHED = f"""
SELECT reached_rank, count(*) FROM {_TRANSITIONS}
WHERE channel = %(channel)s AND cohort_at >= %(start)s AND cohort_at < %(end)s
  AND {_AT_END}
GROUP BY reached_rank
"""
# Per step: cohort transitions into it from an earlier stage, by the end.
# The quantiles are read from each group's sorted array: one sort per group,
# no window over every row.
STEP_MEDIANS = f"""
SELECT step, {_as_duration(f"durations[{_MEDIAN_RANK}]")} FROM (
    SELECT s.step, count(*) AS n,
           array_agg({_STEP_AT} ORDER BY {_STEP_AT}) AS durations
    FROM {_TRANSITIONS} AS t
    JOIN unnest(%(step_stages)s::text[], %(steps)s::int[], %(first_ranks)s::int[])
        AS s(stage, step, first_rank) ON s.stage = t.to_stage
    JOIN unnest(%(rank_stages)s::text[], %(ranks)s::int[]) AS r(stage, rank)
        ON r.stage = t.from_stage AND r.rank < s.first_rank
    WHERE t.channel = %(channel)s AND t.cohort_at >= %(start)s
      AND t.cohort_at < %(end)s AND t.occurred_at < %(end)s
      AND t.entered_from_at IS NOT NULL
    GROUP BY s.step
) AS timed
"""
# Grouped by the stage's bytes (collation "C"): the rows are sorted by stage
# first, and the database's own collation compares them far more slowly.
LEFT = f"""
SELECT from_stage, n, {_as_duration(f"durations[{_MEDIAN_RANK}]")},
       {_as_duration(f"durations[{_P90_RANK}]")} FROM (
    SELECT from_stage COLLATE "C" AS from_stage, count(*) AS n,
           array_agg({_AT} ORDER BY {_AT}) AS durations
    FROM {_TRANSITIONS}
    WHERE channel = %(channel)s AND occurred_at >= %(start)s
      AND occurred_at < %(end)s AND entered_from_at IS NOT NULL
    GROUP BY 1
) AS timed
"""
# The journeys in each stage at instant %(end)s come from three places: the
# stage days (their latest transition entered before the UTC midnight before
# it), the latest transitions entered since that midnight, and the transitions
# that were latest at the end but have been left since. The last two are
# rows: few, for a period that ends near now.
STAGE_DAYS = f"""
SELECT stage, day, journeys FROM {_STAGE_DAYS}
WHERE channel = %(channel)s AND stage = ANY(%(stages)s) AND day < %(midnight)s
  AND journeys <> 0
"""
ROWS_AT_END = f"""
SELECT to_stage, occurred_at FROM {_TRANSITIONS}
WHERE channel = %(channel)s AND to_stage = ANY(%(stages)s) AND left_at IS NULL
  AND occurred_at >= %(midnight)s AND occurred_at < %(end)s
UNION ALL
SELECT to_stage, occurred_at FROM {_TRANSITIONS}
WHERE channel = %(channel)s AND to_stage = ANY(%(stages)s) AND left_at >= %(end)s
  AND occurred_at < %(end)s
"""
# The k-th latest entry of one UTC day, among the journeys in the stage at the end.
KTH_LATEST_OF_DAY = f"""
SELECT occurred_at FROM (
    SELECT occurred_at FROM {_TRANSITIONS}
    WHERE channel = %(channel)s AND to_stage = %(stage)s AND left_at IS NULL
      AND occurred_at >= %(day_start)s AND occurred_at < %(day_end)s
    UNION ALL
    SELECT occurred_at FROM {_TRANSITIONS}
    WHERE channel = %(channel)s AND to_stage = %(stage)s AND left_at >= %(end)s
      AND occurred_at >= %(day_start)s AND occurred_at < %(day_end)s
) AS on_day
ORDER BY occurred_at DESC OFFSET %(offset)s LIMIT 1
"""


def rollup_funnel(
    channel: str,
    period: Period,
    *,
    preset: str | None = None,
    language: str = "en",
) -> Funnel:
    """The same funnel as ``reports.funnel.reference_funnel``."""
    steps_of = columns(preset, language)
    params: dict[str, Any] = {
        "channel": channel,
        "start": period.start_utc,
        "end": period.end_utc,
        "step_stages": [],
        "steps": [],
        "first_ranks": [],
        "rank_stages": [s.value for s in RANK],
        "ranks": list(RANK.values()),
    }
    for index, (_, stages) in enumerate(steps_of):
        for stage in stages:
            params["step_stages"].append(stage.value)
            params["steps"].append(index)
            params["first_ranks"].append(rank(stages[0]))
    with connection.cursor() as cursor:
        cursor.execute(REACHED, params)
        by_rank = dict(cursor.fetchall())
        cursor.execute(STEP_MEDIANS, params)
        medians: dict[int, timedelta] = dict(cursor.fetchall())
    entered = sum(by_rank.values())
    reached = [
        sum(
            n
            for furthest, n in by_rank.items()
            if furthest is not None and furthest >= rank(stages[0])
        )
        for _, stages in steps_of
    ]
    steps = funnel_steps(
        steps_of, entered, reached, [medians.get(i) for i in range(len(steps_of))]
    )
    return Funnel(
        channel=channel,
        period=period,
        preset=preset,
        language=language,
        entered=entered,
        steps=steps,
    )


def rollup_time_in_stage(channel: str, period: Period) -> TimeInStage:
    """The same figures as ``reports.time_in_stage.reference_time_in_stage``."""
    params: dict[str, Any] = {
        "channel": channel,
        "start": period.start_utc,
        "end": period.end_utc,
    }
    left: dict[str, dict[str, Any]] = {}
    with connection.cursor() as cursor:
        cursor.execute(LEFT, params)
        for stage, count, median, p90 in cursor.fetchall():
            left[stage] = {"count": count, "median": median, "p90": p90}
        at_end = _InStageAtEnd(cursor, channel, period.end_utc)
        stages = []
        for stage in STAGES:
            current, age = at_end.count_and_median_age(stage)
            row = left.get(stage.value, {"count": 0})
            stages.append(
                StageTime(
                    stage=stage,
                    left=Durations(
                        count=row["count"],
                        median=row.get("median"),
                        p90=row.get("p90"),
                    ),
                    current=current,
                    current_median_age=age,
                )
            )
    return TimeInStage(channel=channel, period=period, stages=tuple(stages))


class _InStageAtEnd:
    """Journeys per stage at instant ``end``, by UTC day of entry."""

    def __init__(self, cursor: Any, channel: str, end: datetime) -> None:
        self.cursor = cursor
        self.end = end
        midnight = end.astimezone(UTC).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        self.params: dict[str, Any] = {
            "channel": channel,
            "end": end,
            "midnight": midnight,
            "stages": [stage.value for stage in STAGES],
        }
        self.counted: dict[str, dict[date, int]] = defaultdict(dict)
        cursor.execute(STAGE_DAYS, {**self.params, "midnight": midnight.date()})
        for stage, day, journeys in cursor.fetchall():
            self.counted[stage][day] = journeys
        self.rows: dict[str, list[datetime]] = defaultdict(list)
        cursor.execute(ROWS_AT_END, self.params)
        for stage, entered in cursor.fetchall():
            self.rows[stage].append(entered)

    def count_and_median_age(self, stage: Stage) -> tuple[int, timedelta | None]:
        counted = self.counted[stage.value]
        rows = sorted(self.rows[stage.value], reverse=True)
        per_day = Counter(counted)
        per_day.update(_utc_day(entered) for entered in rows)
        total = sum(per_day.values())
        if not total:
            return 0, None
        # The median (nearest rank) is the k-th latest entry.
        kth = (total + 1) // 2
        for day in sorted(per_day, reverse=True):
            if kth > per_day[day]:
                kth -= per_day[day]
                continue
            if day in counted:
                entered = self._kth_latest_of_day(stage, day, kth)
            else:
                entered = [at for at in rows if _utc_day(at) == day][kth - 1]
            return total, self.end - entered
        raise AssertionError("the median lies beyond the counted days")

    def _kth_latest_of_day(self, stage: Stage, day: date, kth: int) -> datetime:
        day_start = datetime.combine(day, time(), tzinfo=UTC)
        self.cursor.execute(
            KTH_LATEST_OF_DAY,
            {
                **self.params,
                "stage": stage.value,
                "day_start": day_start,
                "day_end": day_start + timedelta(days=1),
                "offset": kth - 1,
            },
        )
        (entered,) = self.cursor.fetchone()
        return entered


def _utc_day(instant: datetime) -> date:
    return instant.astimezone(UTC).date()
