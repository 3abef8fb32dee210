"""Getting a drain task to the worker: once per burst, a few seconds apart.

The flag row (``ProcessingRequest``) says a task is on its way; only the one
who sets it publishes. The task clears it before it looks for work and notes
when, and the next task is published to start ``SPACING_SECONDS`` after that:
a steady stream of events gets one task every few seconds, a quiet store gets
its task at once. Nothing here runs inside a store's request (see ``relay``).
"""

import logging

from celery import current_app
from django.db import connection, transaction

from .core.host import get_host
from .core.processing import drain
from .models import ProcessingRequest
from .publishing import publisher

logger = logging.getLogger(__name__)

DRAIN_TASK = "saleor_journey_plugin.process_pending_events"
SPACING_SECONDS = 2.0

_TABLE = ProcessingRequest._meta.db_table
_IS_REQUESTED = f"SELECT requested FROM {_TABLE} WHERE id = 1"
# Returns how long ago a task last took the request (NULL: never).
_SET_REQUEST = (
    f"INSERT INTO {_TABLE} (id, requested) VALUES (1, TRUE) "
    f"ON CONFLICT (id) DO UPDATE SET requested = TRUE WHERE NOT {_TABLE}.requested "
    f"RETURNING EXTRACT(EPOCH FROM clock_timestamp() - {_TABLE}.taken_at)"
)
_WITHDRAW_REQUEST = f"UPDATE {_TABLE} SET requested = FALSE WHERE id = 1"
_TAKE_REQUEST = (
    f"INSERT INTO {_TABLE} (id, requested, taken_at) "
    "VALUES (1, FALSE, clock_timestamp()) "
    "ON CONFLICT (id) DO UPDATE SET requested = FALSE, taken_at = EXCLUDED.taken_at"
)


def wake_processor() -> bool:
    """Publish the drain task unless one is already on its way; True if sent."""
    if eager():
        return False  # No broker: the drain ran on commit.
    with connection.cursor() as cursor:
        # A plain read first: on a busy store the flag is set, and the upsert
        # would lock the row and pay a commit just to find that out.
        cursor.execute(_IS_REQUESTED)
        row = cursor.fetchone()
        if row is not None and row[0]:
            return False
        cursor.execute(_SET_REQUEST)
        row = cursor.fetchone()
        if row is None:
            return False
    since_last = row[0]
    countdown = 0.0 if since_last is None else SPACING_SECONDS - float(since_last)
    if publisher.send(current_app, DRAIN_TASK, countdown=max(countdown, 0.0)):
        return True
    # Nothing is on its way after all: the next event tries again (the
    # periodic task runs meanwhile).
    with connection.cursor() as cursor:
        cursor.execute(_WITHDRAW_REQUEST)
    return False


def drain_pending() -> int:
    """The drain task's work: take the request, then apply what waits."""
    with get_host().writer():
        with connection.cursor() as cursor:
            cursor.execute(_TAKE_REQUEST)
        return drain()


def drain_after_commit() -> None:
    """Without a broker (Celery eager: a demo, a test run), drain right here,
    once the recording transaction committed."""
    try:
        if connection.in_atomic_block:
            # Still inside a transaction (a test's, or an outer one): a
            # savepoint keeps our failure from aborting it.
            with transaction.atomic():
                drain_pending()
        else:
            drain_pending()
    except Exception:
        # This runs among the store's own commit callbacks (Saleor sends its
        # order emails from them): a failure here must not stop theirs.
        logger.exception("Journey events not processed; the periodic run will")


def eager() -> bool:
    return bool(current_app.conf.task_always_eager)
