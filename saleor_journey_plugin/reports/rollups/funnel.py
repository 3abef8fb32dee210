"""The funnel from the stage tallies and the transitions' timeline facts.

``core/timeline.py`` keeps, on every transition, when its journey entered the
stage it left, when it left the stage it entered, its journey's cohort and
furthest stage. A journey's stage at instant ``b`` is then the one transition
with ``occurred_at < b <= left_at`` (or no ``left_at``).

The cohort's journeys per furthest stage now, and its transitions per
duration bucket, are tallied by the day the cohort began
(``tallies/transitions.py``): a report corrects them with the rows of its partial
days and the transitions since its end, few for a period that ends near now.
"""

from collections import defaultdict
from datetime import timedelta
from typing import Any

from django.db import connection

from ...core.stages import RANK, Stage, rank
from ..funnel import columns, funnel_steps
from ..period import Period
from ..rates import MEDIAN
from ..results import Funnel
from .durations import add_counts, locate
from .spans import IN_WHOLE_DAYS, Spans, over_partial_days
from .tallies.transitions import (
    DURATION_BUCKET,
    REACHED_DAYS,
    STEP_DURATIONS,
    TRANSITIONS,
)

# The transition each journey was at, at instant %(end)s.
AT_END = "occurred_at < %(end)s AND (left_at IS NULL OR left_at >= %(end)s)"
_COHORT_IN_WHOLE_DAYS = "cohort_at >= %(whole_start)s AND cohort_at < %(whole_end)s"
_TIMED = "entered_from_at IS NOT NULL AND from_stage IS NOT NULL"

# The cohorts of the partial days, read from their rows.
_REACHED_ON_PARTIAL_DAYS = over_partial_days(
    f"""
SELECT coalesce(reached_rank, 0), count(*) FROM {TRANSITIONS}
WHERE channel = %(channel)s AND cohort_at >= PARTIAL_LOW AND cohort_at < PARTIAL_HIGH
  AND {AT_END} GROUP BY 1
"""
)
_STEPS_ON_PARTIAL_DAYS = over_partial_days(
    f"""
SELECT from_stage, to_stage, {DURATION_BUCKET}, count(*) FROM {TRANSITIONS}
WHERE channel = %(channel)s AND cohort_at >= PARTIAL_LOW AND cohort_at < PARTIAL_HIGH
  AND {_TIMED} AND occurred_at < %(end)s
GROUP BY 1, 2, 3
"""
)

# The cohort's journeys by the furthest rank reached at the end (0: none).
REACHED = f"""
SELECT t.reached, sum(t.journeys) FROM {REACHED_DAYS.target} AS t
WHERE t.channel = %(channel)s AND {IN_WHOLE_DAYS} GROUP BY 1
UNION ALL
{_REACHED_ON_PARTIAL_DAYS}
UNION ALL
SELECT coalesce(reached_rank, 0), -count(*) FROM {TRANSITIONS}
WHERE channel = %(channel)s AND to_stage = ANY(%(stages)s) AND left_at IS NULL
  AND occurred_at >= %(end)s AND {_COHORT_IN_WHOLE_DAYS} GROUP BY 1
UNION ALL
SELECT coalesce(reached_rank, 0), count(*) FROM {TRANSITIONS}
WHERE channel = %(channel)s AND to_stage = ANY(%(stages)s) AND left_at >= %(end)s
  AND occurred_at < %(end)s AND {_COHORT_IN_WHOLE_DAYS} GROUP BY 1
"""
# The cohort's transitions by the end, by stages and duration bucket.
STEP_COUNTS = f"""
SELECT t.from_stage, t.to_stage, t.bucket, sum(t.transitions)
FROM {STEP_DURATIONS.target} AS t
WHERE t.channel = %(channel)s AND {IN_WHOLE_DAYS} GROUP BY 1, 2, 3
UNION ALL
{_STEPS_ON_PARTIAL_DAYS}
UNION ALL
SELECT from_stage, to_stage, {DURATION_BUCKET}, -count(*) FROM {TRANSITIONS}
WHERE channel = %(channel)s AND {_TIMED} AND occurred_at >= %(end)s
  AND {_COHORT_IN_WHOLE_DAYS}
GROUP BY 1, 2, 3
"""
# The k-th shortest time in a bucket, of the cohort's transitions into a step.
STEP_DURATION = f"""
SELECT occurred_at - entered_from_at FROM {TRANSITIONS}
WHERE channel = %(channel)s AND to_stage = ANY(%(to_stages)s)
  AND {DURATION_BUCKET} = %(bucket)s AND entered_from_at IS NOT NULL
  AND cohort_at >= %(start)s AND cohort_at < %(end)s
  AND from_stage = ANY(%(from_stages)s) AND occurred_at < %(end)s
ORDER BY 1 OFFSET %(offset)s LIMIT 1
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
        "stages": [stage.value for stage in Stage],
        **Spans(period).params(),
    }
    by_rank: dict[int, int] = defaultdict(int)
    by_stages: dict[tuple[str, str], dict[int, int]] = defaultdict(dict)
    with connection.cursor() as cursor:
        cursor.execute(REACHED, params)
        for reached, journeys in cursor.fetchall():
            by_rank[reached] += journeys
        cursor.execute(STEP_COUNTS, params)
        for from_stage, to_stage, number, count in cursor.fetchall():
            add_counts(by_stages[from_stage, to_stage], [(number, count)])
        medians = [
            _median_into(cursor, params, stages, by_stages) for _, stages in steps_of
        ]
    entered = sum(by_rank.values())
    reached = [
        sum(n for furthest, n in by_rank.items() if furthest >= rank(stages[0]))
        for _, stages in steps_of
    ]
    return Funnel(
        channel=channel,
        period=period,
        preset=preset,
        language=language,
        entered=entered,
        steps=funnel_steps(steps_of, entered, reached, medians),
    )


def _median_into(
    cursor: Any,
    params: dict[str, Any],
    stages: list[Stage],
    by_stages: dict[tuple[str, str], dict[int, int]],
) -> timedelta | None:
    """The median time into the step of ``stages`` from an earlier stage."""
    earlier = [s.value for s in RANK if rank(s) < rank(stages[0])]
    into = [s.value for s in stages]
    counts: dict[int, int] = {}
    for (from_stage, to_stage), buckets in by_stages.items():
        if from_stage in earlier and to_stage in into:
            add_counts(counts, buckets.items())
    _, (median,) = locate(counts, [MEDIAN])
    if median is None:
        return None
    number, kth = median
    cursor.execute(
        STEP_DURATION,
        {
            **params,
            "to_stages": into,
            "from_stages": earlier,
            "bucket": number,
            "offset": kth - 1,
        },
    )
    (duration,) = cursor.fetchone()
    return duration
