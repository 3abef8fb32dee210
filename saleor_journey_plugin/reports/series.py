"""The main figures day by day, week by week (from Monday) or month by month."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Aggregate, Count, QuerySet, Sum
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Trunc

from ..core.events import EventType
from ..models import JourneyEvent
from . import orders
from .kpis import started_count
from .log import channel_events, during, payload_text, touchpoints
from .money import quantize
from .period import Period, local_day
from .registry import register
from .results import Bucket, Money, Series

INTERVALS = ("day", "week", "month")


@register("series")
def compute_series(
    channel: str,
    period: Period,
    *,
    interval: str = "day",
    currency: str | None = None,
) -> Series:
    """``activeCustomers``, ``checkoutsStarted``, ``orders``, ``buyers`` and
    ``revenue`` per bucket, with the definitions of the KPIs.

    Buckets are calendar days, weeks starting on Monday, or calendar months in
    the period's time zone, every one of the period included (zeros where
    nothing happened). The first and last bucket are clipped to the period: a
    period starting on a Wednesday has a first week bucket from that Wednesday.

    Orders and checkouts add up to the period's KPI; active customers and
    buyers do not (a customer active on two days is one active customer).
    Revenue adds up too: cancellations are judged at the end of the whole
    period, as in the KPI; each bucket has its gross sales minus what the
    refunds recorded in it took off (a partial refund its own share), so a
    bucket can be negative.
    """
    if interval not in INTERVALS:
        raise ValueError(
            f"`interval` must be one of {', '.join(INTERVALS)}, got {interval!r}."
        )
    code = orders.report_currency(channel, currency)

    def per_bucket(
        events: QuerySet[JourneyEvent], figure: Aggregate | CombinedExpression
    ) -> dict[date, Any]:
        rows = (
            events.annotate(bucket=Trunc("occurred_at", interval, tzinfo=period.zone))
            .values("bucket")
            .annotate(value=figure)
        )
        return {local_day(row["bucket"], period.zone): row["value"] for row in rows}

    start, end = period.start_utc, period.end_utc
    active = per_bucket(
        during(touchpoints(channel), period),
        Count("customer_id", distinct=True),
    )
    checkouts = per_bucket(
        during(channel_events(channel, EventType.CHECKOUT_STARTED), period).annotate(
            token=payload_text("checkout")
        ),
        started_count(),
    )
    placed = per_bucket(orders.placed(channel, start, end), Count("pk"))
    buyers = per_bucket(
        orders.placed(channel, start, end),
        Count("customer_id", distinct=True),
    )
    gross: dict[date, Decimal] = {}
    refunded: dict[date, Decimal] = {}
    if code is not None:
        gross = per_bucket(
            orders.sales(channel, start, end, code),
            Sum(orders.amount(code)),
        )
        refunded = per_bucket(orders.refunds(channel, start, end, code), Sum("refund"))

    def revenue(bucket: date) -> Money | None:
        if code is None:
            return None
        amount = (gross.get(bucket) or Decimal(0)) - (
            refunded.get(bucket) or Decimal(0)
        )
        return Money(quantize(amount, code), code)

    buckets = []
    for bucket, first, after in _buckets(period, interval):
        buckets.append(
            Bucket(
                start=first,
                end=after,
                active_customers=active.get(bucket, 0),
                checkouts_started=checkouts.get(bucket, 0),
                orders=placed.get(bucket, 0),
                buyers=buyers.get(bucket, 0),
                revenue=revenue(bucket),
            )
        )
    return Series(
        channel=channel,
        period=period,
        interval=interval,
        currency=code,
        buckets=tuple(buckets),
    )


def bucket_start(day: date, interval: str) -> date:
    """The first day of the day, week (Monday) or month that ``day`` is in."""
    if interval == "week":
        return day - timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    return day


def _next_bucket(start: date, interval: str) -> date:
    if interval == "week":
        return start + timedelta(days=7)
    if interval == "month":
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start + timedelta(days=1)


def _buckets(period: Period, interval: str) -> list[tuple[date, date, date]]:
    """(calendar start, clipped start, clipped end) of every bucket of the period."""
    found = []
    bucket = bucket_start(period.start, interval)
    while bucket < period.end:
        after = _next_bucket(bucket, interval)
        found.append((bucket, max(bucket, period.start), min(after, period.end)))
        bucket = after
    return found
