"""SQLite without fsync while the demo runs: its database is thrown away after."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection
from django.db.backends.signals import connection_created


def relax(target: Any) -> None:
    """No fsync, journal in memory, on this connection (if it is SQLite's).

    Every event commits twice (logged, then processed); on disk that is most
    of the run. Both settings last as long as the connection and leave no
    files behind.
    """
    if target.vendor != "sqlite":
        return
    with target.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode=MEMORY")
        cursor.execute("PRAGMA synchronous=OFF")


def _relax_new(sender: Any, connection: Any, **kwargs: Any) -> None:
    relax(connection)


@contextmanager
def relaxed_sqlite() -> Iterator[None]:
    """This connection and those opened meanwhile (the store server's) relaxed."""
    relax(connection)
    connection_created.connect(_relax_new)
    try:
        yield
    finally:
        connection_created.disconnect(_relax_new)
