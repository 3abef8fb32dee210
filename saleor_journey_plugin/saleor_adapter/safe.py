"""Recording from inside Saleor's requests without ever failing them."""

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any

from django.db import connection, transaction

from .. import service
from ..core.events import JourneyEventData
from . import translate

logger = logging.getLogger("saleor_journey_plugin")


def record(events: Iterable[JourneyEventData | None]) -> None:
    """Record the events a hook reports; log and swallow any failure."""
    with _guarded():
        found = [event for event in events if event is not None]
        if found:
            service.record_all_and_wake(found)


def record_checkout(checkout: Any, channel: str) -> None:
    """Record the milestones a checkout reached (checkout hooks fire often):
    one INSERT, which skips those logged before."""
    with _guarded():
        events = translate.checkout_events(checkout, channel)
        if events:
            service.record_all_and_wake(
                events, only_if=translate.checkout_conditions(checkout)
            )


@contextmanager
def _guarded() -> Iterator[None]:
    """Never let our failure reach Saleor.

    Inside Saleor's own transaction a savepoint keeps our failed statement from
    aborting Saleor's work; outside one, each statement commits on its own.
    """
    try:
        if connection.in_atomic_block:
            with transaction.atomic():
                yield
        else:
            yield
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
