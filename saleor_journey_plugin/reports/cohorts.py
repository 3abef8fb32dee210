"""Cohort retention: who keeps ordering, by the month of their first order."""

from datetime import date

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import TruncMonth

from ..core.events import EventType
from .log import channel_events
from .orders import placed
from .period import Period, local_day
from .rates import rate
from .registry import register
from .results import Cohort, CohortCell, CohortRetention

DEFAULT_MONTHS = 12
MAX_MONTHS = 24


@register("cohorts")
def compute_cohorts(
    channel: str, period: Period, *, months: int = DEFAULT_MONTHS
) -> CohortRetention:
    """Customers grouped by the month of their first order placed in the channel.

    A cohort is the customers whose first placed order ever (in this channel)
    falls in the period, keyed by that order's month in the period's time zone;
    pass a period of whole months to get whole cohorts. Cell ``k`` counts the
    cohort's customers with an order placed in the ``k``-th month after the
    cohort's (cancelled orders count: the customer ordered), up to the end of
    the period: a cell whose month starts at or after the end of the period is
    None (not yet known), and one the period ends inside of is counted so far.
    Month 0 is the whole cohort by construction.
    """
    if (
        not isinstance(months, int)
        or isinstance(months, bool)
        or not (1 <= months <= MAX_MONTHS)
    ):
        raise ValueError(f"`months` must be from 1 to {MAX_MONTHS}, got {months!r}.")
    zone = period.zone
    first_order = (
        channel_events(channel, EventType.ORDER_PLACED)
        .filter(customer_id=OuterRef("customer_id"))
        .order_by("occurred_at", "pk")
        .values("occurred_at")[:1]
    )
    rows = (
        placed(channel, period.start_utc, period.end_utc)
        .filter(customer_id__isnull=False)
        .annotate(first_at=Subquery(first_order))
        .filter(first_at__gte=period.start_utc)
        .annotate(
            cohort=TruncMonth("first_at", tzinfo=zone),
            month=TruncMonth("occurred_at", tzinfo=zone),
        )
        .values("cohort", "month")
        .annotate(customers=Count("customer_id", distinct=True))
    )
    counts: dict[date, dict[int, int]] = {}
    for row in rows:
        cohort = local_day(row["cohort"], zone)
        k = _months_between(cohort, local_day(row["month"], zone))
        counts.setdefault(cohort, {})[k] = row["customers"]
    cohorts = []
    for month in sorted(counts):
        size = counts[month][0]
        cells = []
        for k in range(months):
            if _add_months(month, k) >= period.end:
                cells.append(CohortCell(k=k, customers=None, share=None))
            else:
                retained = counts[month].get(k, 0)
                cells.append(
                    CohortCell(k=k, customers=retained, share=rate(retained, size))
                )
        cohorts.append(Cohort(month=month, customers=size, cells=tuple(cells)))
    return CohortRetention(
        channel=channel, period=period, months=months, cohorts=tuple(cohorts)
    )


def _months_between(earlier: date, later: date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def _add_months(month: date, k: int) -> date:
    index = month.month - 1 + k
    return date(month.year + index // 12, index % 12 + 1, 1)
