"""The one entry point every adapter uses: record an event, wake the processor."""

import logging

from django.db import connection, transaction

from .core.events import JourneyEventData
from .core.recording import record_event
from .models import ProcessingRequest
from .publishing import publisher

logger = logging.getLogger(__name__)

_TABLE = ProcessingRequest._meta.db_table
_SET_REQUEST = (
    f"INSERT INTO {_TABLE} (id, requested) VALUES (1, TRUE) "
    f"ON CONFLICT (id) DO UPDATE SET requested = TRUE WHERE NOT {_TABLE}.requested "
    "RETURNING id"
)
_IS_REQUESTED = f"SELECT requested FROM {_TABLE} WHERE id = 1"
_CLEAR_REQUEST = f"UPDATE {_TABLE} SET requested = FALSE WHERE id = 1"


def track(data: JourneyEventData) -> int | None:
    """Log the event; once the caller's transaction commits, make sure a task runs.

    Returns the new event's id, or None when the same fact was logged before.
    Never waits on the broker: if it is down, the event stays in the log and the
    periodic task processes it.
    """
    event_id = record_event(data)
    if event_id is not None:
        transaction.on_commit(_wake_for_this_transaction())
    return event_id


class _WakeOnCommit:
    """One transaction's wake-up: registered once per event, runs once."""

    def __init__(self) -> None:
        self.ran = False

    def __call__(self) -> None:
        if self.ran:
            return
        self.ran = True
        try:
            if connection.in_atomic_block:
                # Still inside a transaction (a test's, or an outer one): a
                # savepoint keeps our failure from aborting it.
                with transaction.atomic():
                    wake_processor()
            else:
                wake_processor()
        except Exception:
            # This runs among the store's own commit callbacks (Saleor sends its
            # order emails from them): a failure here must not stop theirs.
            logger.exception("Journey processing not woken; the periodic run will")


def _wake_for_this_transaction() -> _WakeOnCommit:
    # Sharing one wake-up across a transaction's events keeps a burst to one
    # flag check. Each event still registers it, so a rolled-back savepoint
    # cannot take the wake-up away from events recorded outside it.
    for entry in connection.run_on_commit:
        if isinstance(entry[1], _WakeOnCommit) and not entry[1].ran:
            return entry[1]
    return _WakeOnCommit()


def wake_processor() -> None:
    """Publish the processing task unless one is already on its way."""
    with connection.cursor() as cursor:
        # A plain read first: on a busy store the flag is set, and the upsert
        # would lock the row and pay a commit just to find that out.
        cursor.execute(_IS_REQUESTED)
        row = cursor.fetchone()
        if row is not None and row[0]:
            return
        cursor.execute(_SET_REQUEST)
        if cursor.fetchone() is None:
            return
    from .tasks import process_pending_events

    if process_pending_events.app.conf.task_always_eager:
        # Embedded mode (the example store's demo): no broker, process right here.
        process_pending_events.apply()
    else:
        publisher.publish(process_pending_events)


def take_processing_request() -> None:
    """Called by the task before it looks for work (see ProcessingRequest)."""
    with connection.cursor() as cursor:
        cursor.execute(_CLEAR_REQUEST)
