"""The one entry point every adapter uses: record an event, wake the processor."""

from collections.abc import Mapping, Sequence

from django.db import connection, transaction

from .core.events import JourneyEventData
from .core.recording import Condition, record_events
from .relay import relay
from .wakeup import drain_after_commit, eager


def record_and_wake(
    data: JourneyEventData, customer_id: int | None = None
) -> int | None:
    """Log the event; once the caller's transaction commits, have it processed.

    Returns the new event's id, or None when the same fact was logged before.
    """
    return record_all_and_wake([data], customer_id=customer_id)[0]


def record_all_and_wake(
    events: Sequence[JourneyEventData],
    *,
    customer_id: int | None = None,
    only_if: Mapping[str, Condition] | None = None,
) -> list[int | None]:
    """Log the events in one statement (see ``record_events``), then wake the
    processor as ``record_and_wake`` does.

    The caller's thread spends that one statement and nothing more: the
    wake-up (a flag and a publish) runs on the relay's thread, so a slow or
    dead broker never reaches the store's request, and if the process dies
    first the periodic task applies the events.
    """
    ids = record_events(events, customer_id=customer_id, only_if=only_if)
    if any(event_id is not None for event_id in ids):
        transaction.on_commit(_wake_for_this_transaction())
    return ids


class _Wake:
    """One transaction's wake-up: registered by each recording in it, so a
    rolled-back savepoint cannot take it from the events outside, and run
    once (in eager mode a drain per recording would redo the same work)."""

    def __init__(self) -> None:
        self.ran = False

    def __call__(self) -> None:
        if self.ran:
            return
        self.ran = True
        if eager():
            drain_after_commit()
        else:
            relay.poke()


def _wake_for_this_transaction() -> _Wake:
    for entry in connection.run_on_commit:
        if isinstance(entry[1], _Wake) and not entry[1].ran:
            return entry[1]
    return _Wake()
