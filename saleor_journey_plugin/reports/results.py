"""What the reports return: frozen, typed values.

Rates are ``Decimal`` fractions from 0 to 1 at full precision (28 significant
digits), or None when their denominator is 0; presentation rounds. Money is
``Money(amount, currency)`` in the currency's decimal places.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from ..core.stages import Stage
from .period import Period


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class Kpis:
    """The store's headline figures for one channel and period."""

    channel: str
    period: Period
    # None when the caller named none and the channel has never recorded an
    # order (nothing to read it from); the money figures are None then.
    currency: str | None
    active_customers: int
    checkouts_started: int
    checkouts_converted: int
    cart_abandonment_rate: Decimal | None
    orders: int
    buyers: int
    conversion_rate: Decimal | None
    revenue: Money | None
    average_order_value: Money | None
    returning_customer_rate: Decimal | None
    repeat_purchase_rate: Decimal | None
    average_customer_value: Money | None
    reviews: int
    csat: Decimal | None
    lapsed_customers: int
    win_backs: int


@dataclass(frozen=True)
class FunnelStep:
    """One column of the funnel: a canonical stage, or a preset label's stages."""

    label: str
    stages: tuple[Stage, ...]
    customers: int
    conversion_from_previous: Decimal | None
    conversion_from_first: Decimal | None
    drop_off: int
    # Median (nearest rank) time from the stage the customer came from; None
    # when no one in the cohort entered this step from an earlier stage.
    median_time_from_previous: timedelta | None


@dataclass(frozen=True)
class Funnel:
    channel: str
    period: Period
    # None: the canonical stages; otherwise the preset whose labels were used.
    preset: str | None
    language: str
    # Customers whose first stage transition happened in the period.
    entered: int
    steps: tuple[FunnelStep, ...]


@dataclass(frozen=True)
class Durations:
    """Nearest-rank percentiles of a set of durations; None for an empty set."""

    count: int
    median: timedelta | None
    p90: timedelta | None


@dataclass(frozen=True)
class StageTime:
    stage: Stage
    # Transitions out of the stage in the period, and the time spent in it.
    left: Durations
    # Journeys in the stage at the end of the period, and how long they had been.
    current: int
    current_median_age: timedelta | None


@dataclass(frozen=True)
class TimeInStage:
    channel: str
    period: Period
    stages: tuple[StageTime, ...]


@dataclass(frozen=True)
class CohortCell:
    """Month ``k`` after the cohort's first month (0 is the month itself)."""

    k: int
    # None for a month that starts at or after the end of the period.
    customers: int | None
    share: Decimal | None


@dataclass(frozen=True)
class Cohort:
    month: date  # the first day of the month, in the channel's time zone
    customers: int
    cells: tuple[CohortCell, ...]


@dataclass(frozen=True)
class CohortRetention:
    channel: str
    period: Period
    months: int
    cohorts: tuple[Cohort, ...]


@dataclass(frozen=True)
class Emotions:
    positive: int
    neutral: int
    negative: int


@dataclass(frozen=True)
class StageTouchpoints:
    """One column of the journey map."""

    # None: touchpoints recorded while the customer had no stage yet.
    stage: Stage | None
    touchpoints: int
    by_type: Mapping[str, int]
    by_touch_channel: Mapping[str, int]
    # (name, count), most frequent first, ties by name; empty names left out.
    top_utm_sources: tuple[tuple[str, int], ...]
    top_utm_campaigns: tuple[tuple[str, int], ...]
    pain_points: Mapping[str, int]
    emotions: Emotions


@dataclass(frozen=True)
class JourneyMap:
    channel: str
    period: Period
    stages: tuple[StageTouchpoints, ...]


@dataclass(frozen=True)
class Bucket:
    """One day, week or month, clipped to the period: days ``[start, end)``."""

    start: date
    end: date
    active_customers: int
    checkouts_started: int
    orders: int
    buyers: int
    revenue: Money | None


@dataclass(frozen=True)
class Series:
    channel: str
    period: Period
    interval: str
    currency: str | None
    buckets: tuple[Bucket, ...]
