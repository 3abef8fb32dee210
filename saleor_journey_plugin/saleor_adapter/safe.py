"""Recording from inside Saleor's requests without ever failing them."""

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any

from django.db import connection, transaction

from .. import service
from ..core.events import EventType, JourneyEventData
from ..core.keys import order_key
from . import translate

logger = logging.getLogger("saleor_journey_plugin")


class Written:
    """Keys of the events one plugin instance (the hooks of one Saleor request,
    or of one task) stored for good: a later hook of the same request whose
    fact is among them (``order_fully_paid`` after ``order_created`` wrote
    both) has nothing left to record, and spends no statement.

    Only writes made outside a transaction count: such an INSERT committed as
    it ran (or, posted, is on its way and is run again if refused: see
    ``posting``), while inside a transaction a rollback could still take it
    back.
    """

    # A request's hooks name a few facts; the oldest go first.
    LIMIT = 16

    def __init__(self) -> None:
        self._keys: dict[str, None] = {}

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def add(self, keys: Iterable[str]) -> None:
        self._keys.update(dict.fromkeys(keys))
        while len(self._keys) > self.LIMIT:
            del self._keys[next(iter(self._keys))]


def record(
    events: Iterable[JourneyEventData | None], written: Written | None = None
) -> None:
    """Record the events a hook reports; log and swallow any failure.

    With ``written``, skip the events it holds, and add those now stored.
    """
    # Outside a transaction the INSERT commits as it runs.
    remember = None if connection.in_atomic_block else written
    with _guarded():
        found = [
            event
            for event in events
            if event is not None
            and (written is None or event.idempotency_key not in written)
        ]
        if found:
            service.post_all_and_wake(found)
            if remember is not None:
                # Inserted or already there: the key is stored either way.
                remember.add(event.idempotency_key for event in found)


def record_order(
    order: Any, event_type: EventType, channel: str, written: Written
) -> None:
    """One order milestone, unless this request's hooks stored it already."""
    if order_key(str(order.pk), event_type) in written:
        return
    record([translate.order_event(order, event_type, channel)], written)


def record_checkout(checkout: Any, channel: str) -> None:
    """Record the milestones a checkout reached (checkout hooks fire often):
    one INSERT, which skips those logged before."""
    with _guarded():
        events = translate.checkout_events(checkout, channel)
        if events:
            service.post_all_and_wake(
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
