"""EXPLAIN (ANALYZE, BUFFERS) of the SELECTs a piece of work ran, rolled back."""

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext


def selects_of(work: Callable[[], object]) -> list[str]:
    """The SELECT statements (with their values) ``work`` runs; rolled back."""
    with transaction.atomic():
        with CaptureQueriesContext(connection) as captured:
            work()
        transaction.set_rollback(True)
    return [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].startswith("SELECT") and " FROM " in query["sql"]
    ]


def explain(statements: Sequence[tuple[str, Sequence[Any] | None]]) -> list[str]:
    """Each statement, then its plan with actual rows, times and buffers."""
    found = []
    with transaction.atomic(), connection.cursor() as cursor:
        for sql, args in statements:
            shown = sql if args is None else cursor.mogrify(sql, args)
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, args)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            found.append(f"{shown}\n{plan}")
        transaction.set_rollback(True)
    return found
