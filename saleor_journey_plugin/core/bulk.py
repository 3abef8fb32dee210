"""Writing a batch's results in one statement per table.

Django's ``bulk_update`` builds a CASE expression per row and field, which costs
more than the processing itself; on PostgreSQL one ``UPDATE ... FROM unnest()``
does the same work. Other databases (the example store's SQLite) keep the ORM.
"""

from django.db import connection
from django.db.models import F
from django.utils import timezone

from ..models import Journey, JourneyEvent
from . import followers

JOURNEY_FIELDS = [
    "stage",
    "stage_entered_at",
    "paid_orders",
    "lapse_clock_from",
    "updated_at",
]
_EVENTS = JourneyEvent._meta.db_table
_JOURNEYS = Journey._meta.db_table

_MARK_PROCESSED = f"""
UPDATE {_EVENTS} AS e
SET customer_id = v.customer_id, stage = v.stage, processed_at = %s,
    attempts = e.attempts + 1, last_error = '', retry_after = NULL
FROM unnest(%s::bigint[], %s::bigint[], %s::text[]) AS v(id, customer_id, stage)
WHERE e.id = v.id
"""

_SAVE_JOURNEYS = f"""
UPDATE {_JOURNEYS} AS j
SET stage = v.stage, stage_entered_at = v.stage_entered_at,
    paid_orders = v.paid_orders, lapse_clock_from = v.lapse_clock_from,
    updated_at = %s
FROM unnest(%s::bigint[], %s::text[], %s::timestamptz[], %s::int[], %s::timestamptz[])
    AS v(id, stage, stage_entered_at, paid_orders, lapse_clock_from)
WHERE j.id = v.id
"""


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def mark_processed(events: list[JourneyEvent]) -> None:
    """Store each event's customer and stage, stamp it processed, and tell the
    followers (the reports' rollups) in the same transaction."""
    if not events:
        return
    _stamp(events)
    followers.applied(e.pk for e in events)


def _stamp(events: list[JourneyEvent]) -> None:
    now = timezone.now()
    if not _postgres():
        JourneyEvent.objects.bulk_update(events, ["customer", "stage"])
        JourneyEvent.objects.filter(pk__in=[e.pk for e in events]).update(
            processed_at=now,
            attempts=F("attempts") + 1,
            last_error="",
            retry_after=None,
        )
        return
    with connection.cursor() as cursor:
        cursor.execute(
            _MARK_PROCESSED,
            [
                now,
                [e.pk for e in events],
                [e.customer_id for e in events],
                [e.stage for e in events],
            ],
        )


def save_journeys(journeys: list[Journey]) -> None:
    """Write the stage fields of journeys that already exist."""
    if not journeys:
        return
    if not _postgres():
        Journey.objects.bulk_update(
            journeys,
            [
                "stage",
                "stage_entered_at",
                "paid_orders",
                "lapse_clock_from",
                "updated_at",
            ],
        )
        return
    with connection.cursor() as cursor:
        cursor.execute(
            _SAVE_JOURNEYS,
            [
                timezone.now(),
                [j.pk for j in journeys],
                [j.stage for j in journeys],
                [j.stage_entered_at for j in journeys],
                [j.paid_orders for j in journeys],
                [j.lapse_clock_from for j in journeys],
            ],
        )
