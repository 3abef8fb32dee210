"""Recording from inside Saleor's requests without ever failing them."""

import logging
from collections.abc import Iterable
from functools import wraps

from django.db import connection, transaction

from .. import service
from ..core.events import JourneyEventData
from ..core.recording import recorded_keys

logger = logging.getLogger("saleor_journey_plugin")


def record(events: Iterable[JourneyEventData | None]) -> None:
    """Track the events a hook reports; log and swallow any failure.

    Several events go in one transaction (one commit); inside Saleor's own
    transaction that is a savepoint, so our failed INSERT cannot abort
    Saleor's work. A single event outside one commits on its own.
    """
    try:
        new = [event for event in events if event is not None]
        if len(new) > 1:
            # A checkout reports its milestones on every update: one lookup
            # skips those already logged instead of one conflicting INSERT each.
            known = recorded_keys([event.idempotency_key for event in new])
            new = [event for event in new if event.idempotency_key not in known]
        if len(new) == 1 and not connection.in_atomic_block:
            service.track(new[0])
        elif new:
            with transaction.atomic():
                for event in new:
                    service.track(event)
    except Exception:
        logger.exception("Journey events not recorded")


def never_raises(hook):
    """A hook that logs its own failure and hands Saleor back ``previous_value``."""

    @wraps(hook)
    def guarded(self, *args, previous_value=None, **kwargs):
        try:
            hook(self, *args, **kwargs)
        except Exception:
            logger.exception("Journey hook %s failed", hook.__name__)
        return previous_value

    return guarded
