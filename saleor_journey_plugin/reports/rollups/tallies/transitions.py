"""Tallies of stage transitions: journeys per stage, time in stage, funnel
steps, lapses (``triggers.py`` says how a tally is kept).

Each is kept per UTC day and per UTC month (``spans.py``), so that a year
reads a few thousand sums, and the durations per bucket (``durations.py``),
so that a median sorts one bucket's rows. Two indexes keep each bucket's
transitions together for that sort.
"""

from ....core.stages import Stage
from ....models import StageTransition
from ..durations import CREATE_FUNCTION, bucket
from ..models import (
    RollupLapseDay,
    RollupLeftDuration,
    RollupReachedDay,
    RollupStageDay,
    RollupStepDuration,
)
from .triggers import Share, Tally, by_day_and_month

TRANSITIONS = StageTransition._meta.db_table

# Journeys in the stage of their latest transition, per UTC day they entered
# it. Days are UTC so the counts do not depend on the channel's time zone; a
# transition with no channel belongs to no report.
STAGE_DAYS = Tally(
    name="journey_tally_stage_days",
    source=TRANSITIONS,
    target=RollupStageDay._meta.db_table,
    keys=("channel", "stage", "day"),
    sums=("journeys",),
    shares=(
        Share(
            {
                "channel": "channel",
                "stage": "to_stage",
                "day": "(occurred_at AT TIME ZONE 'UTC')::date",
                "journeys": "1",
            },
            where="left_at IS NULL AND channel <> ''",
        ),
    ),
)
# The time a transition's journey spent in the stage it left.
DURATION_BUCKET = bucket("entered_from_at", "occurred_at")
_TIMED = "entered_from_at IS NOT NULL AND from_stage IS NOT NULL AND channel <> ''"

LEFT_DURATIONS = Tally(
    name="journey_tally_left_durations",
    source=TRANSITIONS,
    target=RollupLeftDuration._meta.db_table,
    keys=("channel", "grain", "day", "stage", "bucket"),
    sums=("transitions",),
    shares=by_day_and_month(
        Share(
            {
                "channel": "channel",
                "stage": "from_stage",
                "bucket": DURATION_BUCKET,
                "transitions": "1",
            },
            where=_TIMED,
        ),
        "occurred_at",
    ),
)
STEP_DURATIONS = Tally(
    name="journey_tally_step_durations",
    source=TRANSITIONS,
    target=RollupStepDuration._meta.db_table,
    keys=("channel", "grain", "day", "to_stage", "from_stage", "bucket"),
    sums=("transitions",),
    shares=by_day_and_month(
        Share(
            {
                "channel": "channel",
                "to_stage": "to_stage",
                "from_stage": "from_stage",
                "bucket": DURATION_BUCKET,
                "transitions": "1",
            },
            where=f"{_TIMED} AND cohort_at IS NOT NULL",
        ),
        "cohort_at",
    ),
)
# A journey counts once, at its latest transition.
REACHED_DAYS = Tally(
    name="journey_tally_reached_days",
    source=TRANSITIONS,
    target=RollupReachedDay._meta.db_table,
    keys=("channel", "grain", "day", "reached"),
    sums=("journeys",),
    shares=by_day_and_month(
        Share(
            {
                "channel": "channel",
                "reached": "coalesce(reached_rank, 0)",
                "journeys": "1",
            },
            where="left_at IS NULL AND cohort_at IS NOT NULL AND channel <> ''",
        ),
        "cohort_at",
    ),
)
# What a lapse or a win-back adds on its day (``kpis.LAPSES``).
LAPSE = Share(
    {
        "channel": "channel",
        "lapses": f"CASE WHEN to_stage = '{Stage.LAPSED.value}' THEN 1 ELSE 0 END",
        "win_backs": "CASE WHEN win_back THEN 1 ELSE 0 END",
    },
    where=f"channel <> '' AND (to_stage = '{Stage.LAPSED.value}' OR win_back)",
)
LAPSE_DAYS = Tally(
    name="journey_tally_lapse_days",
    source=TRANSITIONS,
    target=RollupLapseDay._meta.db_table,
    keys=("channel", "grain", "day"),
    sums=("lapses", "win_backs"),
    shares=by_day_and_month(LAPSE, "occurred_at"),
)
TRANSITION_TALLIES = (
    STAGE_DAYS,
    LEFT_DURATIONS,
    STEP_DURATIONS,
    REACHED_DAYS,
    LAPSE_DAYS,
)

# A bucket's transitions out of a stage in a period, and a bucket's
# transitions into a stage of a funnel cohort: read from the index alone.
INDEXES = {
    "journey_transition_left_bucket": (
        f"(channel, from_stage, {DURATION_BUCKET}, occurred_at) "
        "INCLUDE (entered_from_at)"
    ),
    "journey_transition_step_bucket": (
        f"(channel, to_stage, {DURATION_BUCKET}, cohort_at) "
        "INCLUDE (from_stage, occurred_at, entered_from_at)"
    ),
}

# The bucket function, then the indexes on it (``__init__.SCHEMA``).
BUCKET_STATEMENTS = (
    CREATE_FUNCTION,
    *(
        f"CREATE INDEX {name} ON {TRANSITIONS} {columns} "
        "WHERE entered_from_at IS NOT NULL"
        for name, columns in INDEXES.items()
    ),
)
