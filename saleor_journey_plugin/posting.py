"""Sending a hook's INSERT without waiting for PostgreSQL's answer.

Saleor calls the order hooks after its own commit, so a hook's INSERT commits
on its own and its wait for the WAL flush (a few hundred microseconds, more
under load) would be the largest part of the plugin's time inside
``checkoutComplete``. Here the hook hands the finished statement to the server
on a connection of the plugin's (a "line") and returns; the relay's thread
reads the answer. The statement is on its way to the server before the hook
returns, so it is as safe as a waited one against the store's process dying
afterwards; if the server refuses it, the line breaks or no answer comes in
time, the relay runs it again on its own connection (the INSERT skips rows
already stored), and if that fails too it logs, as a hook's failed INSERT
always has.

Lines are opened by the relay's thread, never inside a request: a hook that
finds none free records the usual way and asks for one. A line unused for
``LINE_IDLE_SECONDS`` is closed.
"""

import logging
import os
import select
import threading
import time
from collections import deque
from functools import lru_cache
from typing import Any
from uuid import UUID

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper

logger = logging.getLogger(__name__)

MAX_LINES = 4
LINE_IDLE_SECONDS = 300.0
ANSWER_SECONDS = 30.0


class _Line:
    def __init__(self) -> None:
        import psycopg

        db = connections[DEFAULT_DB_ALIAS]
        # A connection as Django makes one (its parameters and adapters), of
        # our own even where Django pools its; each statement commits as it
        # runs.
        self.connection = psycopg.Connection.connect(
            **db.get_connection_params(), autocommit=True
        )
        self.used_at = time.monotonic()

    def send(self, command: bytes, values: list[bytes | None]) -> None:
        """Hand the statement to the server: its text, then its values, in
        one write (no round trip to prepare it, no quoting on our side)."""
        self.connection.pgconn.send_query_params(command, values)
        self.used_at = time.monotonic()

    def answer(self) -> int:
        """Wait for the statement's answer: the number of rows it returned.
        Raises if the server refused it, the line broke, or no answer came
        within ``ANSWER_SECONDS`` (a connection gone silent would otherwise
        hold the relay, and the statement, for TCP's hours)."""
        from psycopg import pq

        pgconn = self.connection.pgconn
        deadline = time.monotonic() + ANSWER_SECONDS
        rows, error = 0, None
        while True:
            while pgconn.is_busy():
                waited = deadline - time.monotonic()
                if waited <= 0 or not select.select([pgconn.socket], [], [], waited)[0]:
                    raise TimeoutError(f"no answer in {ANSWER_SECONDS:g} s")
                pgconn.consume_input()
            result = pgconn.get_result()
            if result is None:
                break
            if result.status == pq.ExecStatus.TUPLES_OK:
                rows += result.ntuples
            else:
                error = (result.error_message or b"").decode(errors="replace")
        if error is not None or pgconn.status != pq.ConnStatus.OK:
            raise ConnectionError(error or "the line to PostgreSQL broke")
        return rows

    def close(self) -> None:
        try:
            self.connection.close()
        except Exception:
            logger.debug("Closing a journey line failed", exc_info=True)


class Poster:
    def __init__(self) -> None:
        self._forget()
        # A forked child starts with no lines. Those it inherited are only
        # dropped: psycopg ends a session only from the process that opened
        # it, so the parent's stay open.
        os.register_at_fork(after_in_child=self._forget)

    def _forget(self) -> None:
        self._lock = threading.Lock()
        self._free: list[_Line] = []
        self._sent: deque[tuple[_Line, str, list[Any]]] = deque()
        self._lines = 0
        self.wanted = False

    def post(self, sql: str, params: list[Any]) -> bool:
        """Send the statement on a free line; False if none was free (or
        sending failed), and the caller runs it the usual way."""
        try:
            command = _numbered(sql).encode()
            values = [_text(value) for value in params]
        except (TypeError, ValueError):
            logger.warning("Journey statement not postable", exc_info=True)
            return False
        with self._lock:
            line = self._free.pop() if self._free else None
            if line is None:
                self.wanted = True
                return False
        try:
            line.send(command, values)
        except Exception:
            logger.warning("Journey line failed; recording directly", exc_info=True)
            self._drop(line)
            return False
        with self._lock:
            self._sent.append((line, sql, params))
        return True

    @property
    def in_flight(self) -> bool:
        return bool(self._sent)

    @property
    def free_lines(self) -> int:
        return len(self._free)

    def backend_pids(self) -> list[int]:
        """The server processes of the free lines (tests end one's session)."""
        with self._lock:
            return [line.connection.info.backend_pid for line in self._free]

    def settle(self) -> bool:
        """For the relay's thread: read every answer, run again what failed;
        True if a statement stored a new event. Then open a line if a hook
        found none free."""
        stored = False
        while True:
            with self._lock:
                if not self._sent:
                    break
                line, sql, params = self._sent.popleft()
            try:
                stored |= line.answer() > 0
            except Exception:
                logger.warning("Journey line failed; recording again", exc_info=True)
                self._drop(line)
                stored |= _run_again(sql, params)
            else:
                with self._lock:
                    self._free.append(line)
        self._open_wanted()
        return stored

    def close_idle(self, now: float | None = None) -> None:
        """Close the free lines unused for ``LINE_IDLE_SECONDS``."""
        now = time.monotonic() if now is None else now
        with self._lock:
            idle = [
                line for line in self._free if now - line.used_at > LINE_IDLE_SECONDS
            ]
            self._free = [line for line in self._free if line not in idle]
            self._lines -= len(idle)
        for line in idle:
            line.close()

    def close_all(self) -> None:
        """Close the free lines (tests: before their database goes)."""
        self.close_idle(now=float("inf"))

    def _open_wanted(self) -> None:
        with self._lock:
            if not self.wanted or self._free or self._lines >= MAX_LINES:
                self.wanted = False
                return
            self.wanted = False
            self._lines += 1
        try:
            line = _Line()
        except Exception:
            with self._lock:
                self._lines -= 1
            logger.warning("Journey line not opened", exc_info=True)
            return
        with self._lock:
            self._free.append(line)

    def _drop(self, line: _Line) -> None:
        line.close()
        with self._lock:
            self._lines -= 1


def speaks_psycopg3(db: BaseDatabaseWrapper) -> bool:
    """Lines use psycopg 3's protocol calls: PostgreSQL through psycopg 3."""
    module = getattr(db, "Database", None)
    return db.vendor == "postgresql" and getattr(module, "__name__", "") == "psycopg"


def _run_again(sql: str, params: list[Any]) -> bool:
    db = connections[DEFAULT_DB_ALIAS]
    try:
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            return bool(cursor.fetchall())
    except Exception:
        logger.exception("Journey events not recorded")
        db.close()
        return False


@lru_cache(maxsize=16)
def _numbered(sql: str) -> str:
    """The statement with PostgreSQL's own placeholders ($1, $2...) for the
    driver's %s (our statements hold no other %)."""
    parts = sql.split("%s")
    if any("%" in part for part in parts):
        raise ValueError("A posted statement holds a % that is not a placeholder.")
    numbered = [f"{part}${n}" for n, part in enumerate(parts[:-1], start=1)]
    return "".join([*numbered, parts[-1]])


def _text(value: Any) -> bytes | None:
    # The server reads each value as its place in the statement types it.
    if value is None:
        return None
    if isinstance(value, str | int | UUID) and not isinstance(value, bool):
        return str(value).encode()
    raise TypeError(f"A posted statement cannot send a {type(value).__name__}.")


poster = Poster()
