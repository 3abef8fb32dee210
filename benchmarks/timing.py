"""Where a piece of work's wall time goes: this process's CPU, and each SQL
statement's round trip timed to the microsecond (Django's query log keeps
whole milliseconds, too coarse for statements of a few dozen microseconds)."""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connection


@dataclass
class Spent:
    wall: float = 0.0
    cpu: float = 0.0
    # (sql, seconds) of every statement run through a cursor; commits are not
    # among them (Django commits on the connection).
    statements: list[tuple[str, float]] = field(default_factory=list)

    @property
    def in_statements(self) -> float:
        return sum(seconds for _, seconds in self.statements)


@contextmanager
def spent() -> Iterator[Spent]:
    found = Spent()

    def timed(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            found.statements.append((sql, time.perf_counter() - start))

    wall, cpu = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(timed):
        yield found
    found.wall = time.perf_counter() - wall
    found.cpu = time.process_time() - cpu
