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
    """Track each event; log and swallow any failure.

    Inside the caller's transaction a savepoint keeps our failed INSERT from
    aborting Saleor's own work; outside one, the INSERT commits on its own.
    """
    try:
        if connection.in_atomic_block:
            with transaction.atomic():
                _track_all(events)
        else:
            _track_all(events)
    except Exception:
        logger.exception("Journey events not recorded")


def _track_all(events: Iterable[JourneyEventData | None]) -> None:
    new = [event for event in events if event is not None]
    if len(new) > 1:
        # A checkout reports its milestones on every update: one lookup skips
        # the ones already logged instead of one conflicting INSERT each.
        known = recorded_keys([event.idempotency_key for event in new])
        new = [event for event in new if event.idempotency_key not in known]
    for event in new:
        service.track(event)


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
