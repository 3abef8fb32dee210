"""The store KPIs: the exact, reference computation from the event log.

Each figure is one set-wise query over ``journey_event`` (or
``journey_stage_transition``), bounded by the period where its definition
allows. Where the definition leaves a choice, the docstring of the helper that
computes the figure says what was chosen; ``docs/kpis.md`` says it for store
admins.
"""

from datetime import datetime
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.expressions import CombinedExpression

from ..core.events import EventType
from ..core.stages import Stage
from ..models import JourneyEvent, StageTransition
from . import orders
from .log import channel_events, during, payload_text, touchpoints
from .money import quantize
from .period import Period
from .rates import PRECISION, rate
from .results import Kpis, Money

TOP_TWO_BOX = 4
MAX_RATING = 5


def reference_kpis(
    channel: str, period: Period, *, currency: str | None = None
) -> Kpis:
    """Every KPI of ``docs/kpis.md`` for ``channel`` over ``period``.

    ``currency`` is the channel's currency (Saleor's ``Channel.currency_code``);
    without it, the currency of the channel's latest order event is used.
    """
    code = orders.report_currency(channel, currency)
    active = active_customers(channel, period)
    started, converted = checkouts(channel, period)
    placed = orders.placed(channel, period.start_utc, period.end_utc)
    order_count = placed.count()
    buyer_count = _customers(placed)
    reviews, satisfied = review_counts(channel, period)
    return Kpis(
        channel=channel,
        period=period,
        currency=code,
        active_customers=active,
        checkouts_started=started,
        checkouts_converted=converted,
        cart_abandonment_rate=complement(rate(converted, started)),
        orders=order_count,
        buyers=buyer_count,
        conversion_rate=rate(buyer_count, active),
        revenue=revenue(channel, period, code),
        average_order_value=average_order_value(channel, period, code),
        returning_customer_rate=rate(returning_buyers(channel, period), buyer_count),
        repeat_purchase_rate=repeat_purchase_rate(channel, period.end_utc),
        average_customer_value=average_customer_value(channel, period.end_utc, code),
        reviews=reviews,
        csat=rate(satisfied, reviews),
        lapsed_customers=transitions(channel, period)
        .filter(to_stage=Stage.LAPSED.value)
        .count(),
        win_backs=transitions(channel, period).filter(win_back=True).count(),
    )


def active_customers(channel: str, period: Period) -> int:
    """Customers with a touchpoint in the period (PostHog "unique users").

    Touchpoints are the channel's events with a customer, except lapses and
    abandoned checkouts, which the plugin records for a customer's silence.
    """
    return _customers(during(touchpoints(channel), period))


def checkouts(channel: str, period: Period) -> tuple[int, int]:
    """(started, converted): checkouts whose first line was added in the period,
    and how many of them have an order (by checkout token), whenever it came.

    A checkout is started by its CHECKOUT_STARTED event (one per checkout).
    One whose token was erased still counts as started, never as converted.
    Because a conversion may come after the period, a closed period's
    ``checkoutsConverted`` can still grow, as the definition asks.
    """
    started = during(
        channel_events(channel, EventType.CHECKOUT_STARTED), period
    ).annotate(token=payload_text("checkout"))
    ordered = (
        channel_events(channel, EventType.ORDER_PLACED)
        .annotate(order_checkout=payload_text("checkout"))
        .filter(order_checkout=OuterRef("token"))
    )
    counts = started.annotate(ordered=Exists(ordered)).aggregate(
        started=started_count(),
        converted=Count("token", distinct=True, filter=Q(ordered=True)),
    )
    return counts["started"], counts["converted"]


def started_count() -> CombinedExpression:
    """Distinct checkout tokens (annotated ``token``), plus events without one."""
    return Count("token", distinct=True) + Count("pk", filter=Q(token__isnull=True))


def revenue(channel: str, period: Period, currency: str | None) -> Money | None:
    """Gross sales of the period minus its refunds (rules in ``orders.py``).

    None only when the currency is unknown (no order ever, none named).
    """
    if currency is None:
        return None
    return as_money(
        orders.revenue(channel, period.start_utc, period.end_utc, currency), currency
    )


def average_order_value(
    channel: str, period: Period, currency: str | None
) -> Money | None:
    """Gross total of the period's orders not cancelled / their count.

    Refunds are not subtracted (Shopify's AOV is before returns); the result is
    rounded half up to the currency's decimal places. None without such orders.
    """
    if currency is None:
        return None
    sales = orders.sales(channel, period.start_utc, period.end_utc, currency)
    count = sales.count()
    if not count:
        return None
    return as_money(PRECISION.divide(orders.total(sales, currency), count), currency)


def returning_buyers(channel: str, period: Period) -> int:
    """Buyers in the period with an order placed in the channel before it.

    Any earlier placed order counts, cancelled or not: the customer ordered.
    """
    earlier = orders.placed(channel, None, period.start_utc).filter(
        customer_id=OuterRef("customer_id")
    )
    buyers = orders.placed(channel, period.start_utc, period.end_utc).filter(
        Exists(earlier)
    )
    return _customers(buyers)


def repeat_purchase_rate(channel: str, until: datetime) -> Decimal | None:
    """Customers with 2+ placed orders / customers with 1+, all time to ``until``."""
    per_customer = (
        orders.placed(channel, None, until)
        .filter(customer_id__isnull=False)
        .values("customer_id")
        .annotate(placed=Count("pk"))
    )
    buyers = per_customer.count()
    repeat = per_customer.filter(placed__gte=2).count()
    return rate(repeat, buyers)


def average_customer_value(
    channel: str, until: datetime, currency: str | None
) -> Money | None:
    """All-time revenue to ``until`` / customers who ever placed an order.

    Revenue includes erased customers' orders (their amounts are kept); the
    customers are those the log still knows. None without a buyer.
    """
    if currency is None:
        return None
    buyers = _customers(orders.placed(channel, None, until))
    if not buyers:
        return None
    total = orders.revenue(channel, None, until, currency)
    return as_money(PRECISION.divide(total, buyers), currency)


def review_counts(channel: str, period: Period) -> tuple[int, int]:
    """(reviews, reviews rated 4 or 5) received in the period.

    A review is a REVIEW_SUBMITTED event whose payload ``rating`` is a number
    from 1 to 5 (as the core reads it); ``csat`` is their top-2-box share. A
    review edited later (a REVIEW_EDITED event with the same ``review_id``)
    counts once, with the rating of its latest edit before the period's end.
    """
    latest_edit = (
        channel_events(channel, EventType.REVIEW_EDITED)
        .filter(
            payload__review_id=OuterRef("payload__review_id"),
            occurred_at__lt=period.end_utc,
            payload__rating__gte=1,
            payload__rating__lte=MAX_RATING,
        )
        .order_by("-occurred_at", "-pk")
    )
    reviews = during(channel_events(channel, EventType.REVIEW_SUBMITTED), period)
    rated = reviews.filter(
        payload__rating__gte=1, payload__rating__lte=MAX_RATING
    ).annotate(
        edited_to_top=Subquery(
            latest_edit.annotate(
                top=ExpressionWrapper(
                    Q(payload__rating__gte=TOP_TWO_BOX), output_field=BooleanField()
                )
            ).values("top")[:1]
        )
    )
    counts = rated.aggregate(
        reviews=Count("pk"),
        satisfied=Count(
            "pk",
            filter=Q(edited_to_top=True)
            | Q(edited_to_top__isnull=True, payload__rating__gte=TOP_TWO_BOX),
        ),
    )
    return counts["reviews"], counts["satisfied"]


def transitions(channel: str, period: Period) -> QuerySet[StageTransition]:
    """The channel's stage transitions in the period."""
    return StageTransition.objects.filter(
        journey__channel=channel,
        occurred_at__gte=period.start_utc,
        occurred_at__lt=period.end_utc,
    )


def _customers(events: QuerySet[JourneyEvent]) -> int:
    counted = events.aggregate(customers=Count("customer_id", distinct=True))
    return int(counted["customers"])


def complement(fraction: Decimal | None) -> Decimal | None:
    return None if fraction is None else PRECISION.subtract(1, fraction)


def as_money(amount: Decimal | None, currency: str | None) -> Money | None:
    if amount is None or currency is None:
        return None
    return Money(quantize(amount, currency), currency)
