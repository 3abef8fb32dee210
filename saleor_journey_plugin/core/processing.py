"""Taking waiting events and applying each exactly once; retrying failures.

Events are taken oldest first under ``FOR UPDATE SKIP LOCKED``, so any number
of workers can process at once without applying an event twice. A batch is
applied set-wise (``batch.py``); if it fails, its events are applied one at a
time (``rewriting.py``) so that one bad event holds back none of the others,
and a failed one waits, backing off, for a later run.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from ..models import Journey, JourneyEvent
from .batch import apply_events
from .batch_lock import one_batch_at_a_time
from .bulk import mark_processed
from .rewriting import apply_rewriting_event
from .stage_changes import report_stage_changes

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
# Failures back off 1, 2, 4 ... 256 minutes: an outage of several hours (a
# missing migration, a database restore) is outlived; a poison event gives up.
MAX_ATTEMPTS = 10
FIRST_RETRY = timedelta(minutes=1)
MAX_ERROR_LENGTH = 2000


def process_event(event_id: int) -> bool:
    """Apply one event; False if it was already applied (or is being applied)."""
    applied, _ = _process(JourneyEvent.objects.filter(pk=event_id))
    return applied == 1


def process_pending(limit: int = BATCH_SIZE) -> tuple[int, int]:
    """Apply up to ``limit`` waiting events, oldest first: (applied, failed)."""
    waiting = JourneyEvent.objects.filter(attempts__lt=MAX_ATTEMPTS).filter(
        Q(retry_after__isnull=True) | Q(retry_after__lte=timezone.now())
    )
    return _process(waiting.order_by("occurred_at", "id"), limit)


def drain() -> int:
    """Apply waiting events until none is left; return how many were applied.

    Stops at the first failure: the failed events are retried by the next
    run, not in a tight loop.
    """
    total = 0
    while True:
        applied, failed = process_pending()
        total += applied
        if failed or applied < BATCH_SIZE:
            # A short batch took all there was; later events wake a new task.
            return total


def _process(events: QuerySet[JourneyEvent], limit: int = 1) -> tuple[int, int]:
    with transaction.atomic():
        one_batch_at_a_time()
        locked = list(
            events.select_for_update(skip_locked=True).filter(
                processed_at__isnull=True
            )[:limit]
        )
        failed = 0
        try:
            with transaction.atomic():
                changed = apply_events(locked)
        except Exception:
            # One bad event must not hold back the rest: retry them one by one,
            # as stored (the failed batch left its edits on these objects).
            changed = []
            by_id = JourneyEvent.objects.in_bulk([event.pk for event in locked])
            for event in (by_id[e.pk] for e in locked):
                try:
                    changed.extend(_apply_alone(event))
                except Exception as error:
                    failed += 1
                    _record_failure(event, error)
        transaction.on_commit(lambda: report_stage_changes(changed))
    return len(locked) - failed, failed


def _apply_alone(event: JourneyEvent) -> list[Journey]:
    with transaction.atomic():
        changed = apply_rewriting_event(event)
        mark_processed([event])
        return changed


def _record_failure(event: JourneyEvent, error: Exception) -> None:
    logger.error("Journey event %s failed", event.pk, exc_info=error)
    JourneyEvent.objects.filter(pk=event.pk).update(
        attempts=F("attempts") + 1,
        last_error=repr(error)[:MAX_ERROR_LENGTH],
        retry_after=timezone.now() + FIRST_RETRY * 2**event.attempts,
    )
