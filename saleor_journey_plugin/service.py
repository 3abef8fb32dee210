"""The one entry point every adapter uses: record an event, wake the processor."""

from collections.abc import Mapping, Sequence

from django.db import connection, transaction

from .core.events import JourneyEventData
from .core.host import get_host
from .core.recording import Condition, insert_statement, record_events, run_insert
from .posting import poster, speaks_psycopg3
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
    _wake_if_new(ids)
    return ids


def post_all_and_wake(
    events: Sequence[JourneyEventData],
    *,
    only_if: Mapping[str, Condition] | None = None,
) -> None:
    """Record as ``record_all_and_wake`` does, but where nothing can take the
    write back (no transaction is open) do not wait for PostgreSQL's answer:
    the statement leaves on one of the plugin's lines and the relay reads the
    answer and wakes the processor (see ``posting``). For hooks that run
    after the store's commit, inside its request."""
    if not events:
        return
    insert = insert_statement(events, only_if=only_if)
    if _postable() and poster.post(insert.sql, insert.params):
        relay.settle_soon()
        return
    if poster.wanted:
        relay.settle_soon()  # It opens a line for the next hook.
    _wake_if_new(run_insert(insert))


def _postable() -> bool:
    return (
        speaks_psycopg3(connection)
        and not connection.in_atomic_block
        # Eager (a demo, a test run) drains on commit, in this thread: the
        # row must be there first.
        and not eager()
        # Lines belong to the host's one store (the App serves several).
        and get_host().scope() is None
    )


def _wake_if_new(ids: list[int | None]) -> None:
    if any(event_id is not None for event_id in ids):
        transaction.on_commit(_wake_for_this_transaction())


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
