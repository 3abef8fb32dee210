"""Rates and nearest-rank percentiles, computed the same way by every report."""

import math
from decimal import Context, Decimal
from fractions import Fraction
from typing import Any

from django.db.models import QuerySet

# Full precision: Decimal's default 28 significant digits, whatever the caller's
# context says.
PRECISION = Context(prec=28)
MEDIAN = Fraction(1, 2)
P90 = Fraction(9, 10)


def rate(numerator: int | Decimal, denominator: int | Decimal) -> Decimal | None:
    """``numerator / denominator`` as a Decimal fraction; None when dividing by 0."""
    if not denominator:
        return None
    return PRECISION.divide(Decimal(numerator), Decimal(denominator))


def nearest_rank(count: int, q: Fraction) -> int:
    """The 1-based rank of the ``q`` quantile among ``count`` values.

    Nearest rank: the ``ceil(q * count)``-th smallest value, and at least the
    first (the median of 4 values is the 2nd, their 90th percentile the 4th).
    """
    return max(1, math.ceil(q * count))


def kth_smallest(values: QuerySet[Any], field: str, k: int) -> Any:
    """The ``k``-th smallest ``field`` of ``values`` (1-based), read alone.

    Ties are broken by primary key, so the answer never depends on the plan.
    """
    return values.order_by(field, "pk").values_list(field, flat=True)[k - 1]


def quantiles(
    values: QuerySet[Any], field: str, *qs: Fraction
) -> tuple[int, list[Any]]:
    """How many values there are and each ``q``-quantile of them (None if none).

    One COUNT and one ``ORDER BY ... OFFSET`` per quantile: set-wise, and the
    same on PostgreSQL and SQLite.
    """
    count = values.count()
    if count == 0:
        return 0, [None for _ in qs]
    return count, [kth_smallest(values, field, nearest_rank(count, q)) for q in qs]
