"""Time in stage from the stage tallies and the transitions' timeline facts.

The transitions out of each stage are tallied per day and duration bucket
(``tallies/transitions.py``): a year's median and 90th percentile add up those
counts and sort one bucket's rows. Who is in each stage at the end of the
period comes from the journeys per stage and day of entry (``tallies/transitions.py``).
"""

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import connection

from ...core.stages import Stage
from ..period import Period
from ..rates import MEDIAN, P90
from ..results import Durations, StageTime, TimeInStage
from ..time_in_stage import STAGES
from .durations import add_counts, locate
from .models import RollupStageDay
from .spans import IN_WHOLE_DAYS, Spans, over_partial_days
from .tallies.transitions import DURATION_BUCKET, LEFT_DURATIONS, TRANSITIONS

_STAGE_DAYS = RollupStageDay._meta.db_table

# The partial days' transitions, read from their rows.
_LEFT_ON_PARTIAL_DAYS = over_partial_days(
    f"""
SELECT from_stage, {DURATION_BUCKET}, count(*) FROM {TRANSITIONS}
WHERE channel = %(channel)s
  AND occurred_at >= PARTIAL_LOW AND occurred_at < PARTIAL_HIGH
  AND entered_from_at IS NOT NULL AND from_stage IS NOT NULL
GROUP BY 1, 2
"""
)
# The period's transitions out of each stage, by duration bucket.
LEFT_COUNTS = f"""
SELECT t.stage, t.bucket, sum(t.transitions) FROM {LEFT_DURATIONS.target} AS t
WHERE t.channel = %(channel)s AND {IN_WHOLE_DAYS} GROUP BY 1, 2
UNION ALL
{_LEFT_ON_PARTIAL_DAYS}
"""
# The k-th shortest time in a bucket, of the period's transitions out of a stage.
LEFT_DURATION = f"""
SELECT occurred_at - entered_from_at FROM {TRANSITIONS}
WHERE channel = %(channel)s AND from_stage = %(stage)s
  AND {DURATION_BUCKET} = %(bucket)s AND entered_from_at IS NOT NULL
  AND occurred_at >= %(start)s AND occurred_at < %(end)s
ORDER BY 1 OFFSET %(offset)s LIMIT 1
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
SELECT to_stage, occurred_at FROM {TRANSITIONS}
WHERE channel = %(channel)s AND to_stage = ANY(%(stages)s) AND left_at IS NULL
  AND occurred_at >= %(midnight)s AND occurred_at < %(end)s
UNION ALL
SELECT to_stage, occurred_at FROM {TRANSITIONS}
WHERE channel = %(channel)s AND to_stage = ANY(%(stages)s) AND left_at >= %(end)s
  AND occurred_at < %(end)s
"""
# The k-th latest entry of one UTC day, among the journeys in the stage at the end.
KTH_LATEST_OF_DAY = f"""
SELECT occurred_at FROM (
    SELECT occurred_at FROM {TRANSITIONS}
    WHERE channel = %(channel)s AND to_stage = %(stage)s AND left_at IS NULL
      AND occurred_at >= %(day_start)s AND occurred_at < %(day_end)s
    UNION ALL
    SELECT occurred_at FROM {TRANSITIONS}
    WHERE channel = %(channel)s AND to_stage = %(stage)s AND left_at >= %(end)s
      AND occurred_at >= %(day_start)s AND occurred_at < %(day_end)s
) AS on_day
ORDER BY occurred_at DESC OFFSET %(offset)s LIMIT 1
"""


def rollup_time_in_stage(channel: str, period: Period) -> TimeInStage:
    """The same figures as ``reports.time_in_stage.reference_time_in_stage``."""
    params: dict[str, Any] = {
        "channel": channel,
        "start": period.start_utc,
        "end": period.end_utc,
        **Spans(period).params(),
    }
    counts: dict[str, dict[int, int]] = defaultdict(dict)
    with connection.cursor() as cursor:
        cursor.execute(LEFT_COUNTS, params)
        for stage, number, count in cursor.fetchall():
            add_counts(counts[stage], [(number, count)])
        at_end = _InStageAtEnd(cursor, channel, period.end_utc)
        stages = []
        for stage in STAGES:
            current, age = at_end.count_and_median_age(stage)
            stages.append(
                StageTime(
                    stage=stage,
                    left=_left(cursor, params, stage, counts[stage.value]),
                    current=current,
                    current_median_age=age,
                )
            )
    return TimeInStage(channel=channel, period=period, stages=tuple(stages))


def _left(
    cursor: Any, params: dict[str, Any], stage: Stage, counts: dict[int, int]
) -> Durations:
    count, found = locate(counts, [MEDIAN, P90])
    values: list[timedelta | None] = []
    for where in found:
        if where is None:
            values.append(None)
            continue
        number, kth = where
        cursor.execute(
            LEFT_DURATION,
            {**params, "stage": stage.value, "bucket": number, "offset": kth - 1},
        )
        values.append(cursor.fetchone()[0])
    median, p90 = values
    return Durations(count=count, median=median, p90=p90)


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
