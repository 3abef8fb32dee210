"""Exact nearest-rank quantiles of durations without sorting them all.

A year of stage transitions is too many to sort for every report. Tallies
count them per duration bucket (``bucket``: about 5% wide, on a log scale, so
a second and a month both get a fine bucket), which gives how many durations
lie below each bucket. A report adds up those counts, finds the bucket that
holds the rank it wants (``locate``) and sorts that bucket's rows alone, which
an index keeps together, to read the exact value.
"""

from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction

from ..rates import nearest_rank

FUNCTION = "journey_duration_bucket"
# A SQL function so that the triggers, the indexes and the reports compute the
# very same bucket (an index matches a query only on the same expression).
CREATE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}(since timestamptz, until timestamptz)
RETURNS smallint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT floor(20 * ln(1 + greatest(extract(epoch FROM until - since)::float8, 0)))
        ::smallint
$$
"""


def bucket(since: str, until: str) -> str:
    """The bucket of the time from ``since`` to ``until`` (SQL), in SQL."""
    return f"{FUNCTION}({since}, {until})"


def locate(
    counts: Mapping[int, int], qs: Sequence[Fraction]
) -> tuple[int, list[tuple[int, int] | None]]:
    """How many durations ``counts`` (per bucket) holds, and for each quantile
    ``q`` the bucket of its nearest-rank value and that value's 1-based rank
    among the bucket's durations (None when there are none)."""
    total = sum(counts.values())
    found: list[tuple[int, int] | None] = []
    for q in qs:
        found.append(_bucket_of_rank(counts, nearest_rank(total, q)) if total else None)
    return total, found


def _bucket_of_rank(counts: Mapping[int, int], rank: int) -> tuple[int, int]:
    below = 0
    for number in sorted(counts):
        if rank <= below + counts[number]:
            return number, rank - below
        below += counts[number]
    raise AssertionError(f"rank {rank} is beyond the {below} durations counted")


def add_counts(into: dict[int, int], rows: Iterable[tuple[int, int]]) -> None:
    """Add ``(bucket, count)`` rows (a count taken away is negative)."""
    for number, count in rows:
        into[number] = into.get(number, 0) + count
