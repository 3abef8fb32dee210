"""Facts about each stage transition that follow from its journey's other ones.

Reports ask "where was this journey at instant b", "how long had it been in
the stage it left", "how far had it got": questions about a transition's
neighbours. Each transition row carries the answers, rewritten set-wise for a
journey whenever its transitions change, so reports read them from an index
instead of walking every journey's history.

- ``entered_from_at``: when the journey last entered ``from_stage`` before this
  transition (ordered by time, then id); None for a first stage.
- ``left_at``: when the journey's next transition happened; None while this is
  its latest one.
- ``cohort_at``: when the journey got its first stage (its funnel cohort).
- ``reached_rank``: the furthest funnel stage (by rank) reached up to and
  including this transition; LAPSED reaches nothing.
"""

from collections.abc import Iterable

from django.db import connection

from ..models import StageTransition
from .stages import RANK

_TRANSITIONS = StageTransition._meta.db_table
_RANKS = ", ".join(f"('{stage.value}', {rank})" for stage, rank in RANK.items())

_REFRESH = f"""
WITH facts AS (
    SELECT t.id,
        (SELECT e.occurred_at FROM {_TRANSITIONS} AS e
         WHERE e.journey_id = t.journey_id AND e.to_stage = t.from_stage
           AND (e.occurred_at, e.id) < (t.occurred_at, t.id)
         ORDER BY e.occurred_at DESC, e.id DESC LIMIT 1) AS entered_from_at,
        lead(t.occurred_at) OVER journey AS left_at,
        min(t.occurred_at) FILTER (WHERE t.from_stage IS NULL)
            OVER (PARTITION BY t.journey_id) AS cohort_at,
        max(r.rank) OVER (journey ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
            AS reached_rank
    FROM {_TRANSITIONS} AS t
    LEFT JOIN (VALUES {_RANKS}) AS r(stage, rank) ON r.stage = t.to_stage
    WHERE t.journey_id IN (SELECT unnest(%s::bigint[]))
    WINDOW journey AS (PARTITION BY t.journey_id ORDER BY t.occurred_at, t.id)
)
UPDATE {_TRANSITIONS} AS s
SET entered_from_at = f.entered_from_at, left_at = f.left_at,
    cohort_at = f.cohort_at, reached_rank = f.reached_rank
FROM facts AS f
WHERE s.id = f.id
  AND (s.entered_from_at, s.left_at, s.cohort_at, s.reached_rank)
      IS DISTINCT FROM (f.entered_from_at, f.left_at, f.cohort_at, f.reached_rank)
"""


def refresh(journey_ids: Iterable[int | None]) -> None:
    """Recompute the facts of these journeys' transitions (PostgreSQL only).

    On other databases (the example store's SQLite) the columns stay empty:
    the reports there read the transitions themselves.
    """
    ids = sorted({pk for pk in journey_ids if pk is not None})
    if not ids or connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(_REFRESH, [ids])
