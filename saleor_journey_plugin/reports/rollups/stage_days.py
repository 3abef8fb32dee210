"""Journeys per current stage and UTC day of entry, kept by PostgreSQL triggers.

"How many customers are in each stage, and since when" would otherwise count
every journey of the channel. A journey is in the stage of its latest
transition (``left_at`` NULL). Batches, rebuilds, merges and erasures all
write transitions, and the timeline refresh sets ``left_at`` afterwards, so
the counts are kept where every one of those writes passes: statement
triggers on ``journey_stage_transition`` add the rows that are latest after
the statement and take away those that were before it, in the same
transaction. Only channelled transitions count (``channel`` is set when the
transition is made; an empty one belongs to no report).
"""

from django.db import connection

from ...models import StageTransition
from .models import RollupStageDay

_TRANSITIONS = StageTransition._meta.db_table
_STAGE_DAYS = RollupStageDay._meta.db_table
_DAY = "(occurred_at AT TIME ZONE 'UTC')::date"
_COUNTED = "left_at IS NULL AND channel <> ''"

_ROWS = "SELECT channel, to_stage, occurred_at, {change} AS change FROM {table}"
_ADDED = _ROWS.format(change=1, table="new_rows") + f" WHERE {_COUNTED}"
_TAKEN = _ROWS.format(change=-1, table="old_rows") + f" WHERE {_COUNTED}"
_APPLY = f"""
    INSERT INTO {_STAGE_DAYS} (channel, stage, day, journeys)
    SELECT channel, to_stage, {_DAY}, sum(change) FROM ({{changed}}) AS changed
    GROUP BY channel, to_stage, {_DAY}
    HAVING sum(change) <> 0
    -- One order for every writer, so that concurrent statements never deadlock.
    ORDER BY channel, to_stage, {_DAY}
    ON CONFLICT (channel, stage, day)
    DO UPDATE SET journeys = {_STAGE_DAYS}.journeys + excluded.journeys;
"""
# A trigger with transition tables fires on one kind of statement, and a
# statement naming a table its trigger lacks fails when it is planned: each
# kind gets its own branch (PL/pgSQL plans a branch only when it runs it).
_FUNCTION = f"""
CREATE OR REPLACE FUNCTION journey_count_stage_days() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN {_APPLY.format(changed=_ADDED)}
    ELSIF TG_OP = 'DELETE' THEN {_APPLY.format(changed=_TAKEN)}
    ELSE {_APPLY.format(changed=f"{_ADDED} UNION ALL {_TAKEN}")}
    END IF;
    RETURN NULL;
END
$$
"""
_TRIGGERS = {
    "INSERT": "REFERENCING NEW TABLE AS new_rows",
    "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "REFERENCING OLD TABLE AS old_rows",
}


def _trigger(operation: str) -> str:
    return f"journey_stage_days_on_{operation.lower()}"


def install() -> None:
    """Create the triggers and count the transitions already there."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(_FUNCTION)
        for operation, tables in _TRIGGERS.items():
            cursor.execute(
                f"CREATE TRIGGER {_trigger(operation)} AFTER {operation} "
                f"ON {_TRANSITIONS} {tables} FOR EACH STATEMENT "
                "EXECUTE FUNCTION journey_count_stage_days()"
            )
    recount()


def uninstall() -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for operation in _TRIGGERS:
            cursor.execute(
                f"DROP TRIGGER IF EXISTS {_trigger(operation)} ON {_TRANSITIONS}"
            )
        cursor.execute("DROP FUNCTION IF EXISTS journey_count_stage_days()")


def recount(channel: str | None = None) -> None:
    """Count again from the transitions (the whole table, or one channel)."""
    where = "" if channel is None else "WHERE channel = %(channel)s"
    both = "" if channel is None else "AND channel = %(channel)s"
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_STAGE_DAYS} {where}", {"channel": channel})
        cursor.execute(
            f"""
            INSERT INTO {_STAGE_DAYS} (channel, stage, day, journeys)
            SELECT channel, to_stage, {_DAY}, count(*) FROM {_TRANSITIONS}
            WHERE {_COUNTED} {both}
            GROUP BY channel, to_stage, {_DAY}
            """,
            {"channel": channel},
        )
