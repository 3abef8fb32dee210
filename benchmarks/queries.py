"""Where the batch path's time goes: SQL statements per event, by kind."""

import re
import time
from collections import Counter, defaultdict
from typing import Any

from saleor_journey_plugin.core.engine import JourneyState, advance
from saleor_journey_plugin.core.processing import BATCH_SIZE

from . import workload
from .stats import Table

_TABLE = re.compile(r'(?:FROM|INTO|UPDATE)\s+"(\w+)"')
# Django keeps at most this many statements in a connection's log.
LOG_LIMIT = 9000


def label(sql: str) -> str:
    """A short name for a statement: its verb, its table and any row lock."""
    verb = sql.split(None, 1)[0].upper()
    if verb in {"BEGIN", "COMMIT", "SAVEPOINT", "RELEASE", "ROLLBACK"}:
        return verb
    match = _TABLE.search(sql)
    name = f"{verb} {match.group(1) if match else '?'}"
    if "FOR UPDATE SKIP LOCKED" in sql:
        name += " FOR UPDATE SKIP LOCKED"
    elif "FOR UPDATE" in sql:
        name += " FOR UPDATE"
    if "CASE WHEN" in sql:
        name += " (bulk_update)"
    return name


def report(
    table: Table, captured: list[dict[str, Any]], events: int, elapsed: float
) -> list[Table]:
    """Statements per event for one drain() of ``events``; the per-kind detail."""
    if len(captured) >= LOG_LIMIT:
        raise RuntimeError("the query log overflowed: use fewer events")
    count: Counter[str] = Counter()
    seconds: dict[str, float] = defaultdict(float)
    for query in captured:
        count[label(query["sql"])] += 1
        seconds[label(query["sql"])] += float(query["time"])
    in_sql = sum(seconds.values())
    table.add(
        f"  SQL statements per event  ({len(captured)} for {events})",
        f"{len(captured) / events:.3f}  "
        f"({len(captured) * BATCH_SIZE / events:.1f} per {BATCH_SIZE}-event batch)",
    )
    table.add(
        "  wall time waiting on SQL / in Python",
        f"{100 * in_sql / elapsed:.0f}% / {100 - 100 * in_sql / elapsed:.0f}%",
    )
    table.add(
        "  of which the stage rules, engine.advance(): CPU per event",
        f"{_engine_us():.0f} us",
    )
    detail = Table(f"Inline drain() of {events} events, by statement")
    for name, n in count.most_common():
        detail.add(
            name,
            f"{n:4d} statements  {1000 * seconds[name]:7.0f} ms  "
            f"({100 * seconds[name] / elapsed:.0f}% of the wall time)",
        )
    return [detail]


def _engine_us(count: int = 2000) -> float:
    used = 0
    for data in workload.generate(count, count // 5, prefix="e"):
        rating = data.payload.get("rating")
        start = time.process_time_ns()
        advance(JourneyState(), data.type, data.occurred_at, rating=rating)
        used += time.process_time_ns() - start
    return used / count / 1e3
