"""The ``campaigns`` report: what the emails did, per campaign and step.

Read from the campaign tables only (sends, clicks, attributions), each by an
index on (channel, time); never from the event log.

- ``sent``: emails sent in the period; ``clicked``: of the emails, those
  clicked in the period (an email clicked twice counts once).
- ``reminded_checkouts``: distinct checkouts an abandoned-checkout email was
  sent about in the period.
- ``recovered_orders``: orders placed in the period that a campaign email
  recovered (``attribution.py``), cancelled ones included, like the KPIs'
  ``orders``; ``recovered_checkouts``: the distinct reminded checkouts among
  them.
- ``recovered_revenue`` and ``discount_cost``: their gross totals and campaign
  coupon discounts, leaving out orders cancelled or fully refunded before the
  period ended (like the KPIs' revenue), in the report's currency.
- ``recovery_rate``: recovered / reminded checkouts; ``roi``:
  (revenue - cost) / cost, None without a cost.

A step's figures are those of the emails of that step (an order counts for
the step that got the credit); a campaign's add up its steps, except the
distinct checkouts, counted again over the whole campaign.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from ..core.host import get_host
from ..reports.money import quantize
from ..reports.orders import report_currency
from ..reports.period import Period
from ..reports.rates import PRECISION, rate
from ..reports.registry import register
from ..reports.results import Money
from . import settings as campaign_settings
from .kinds import CampaignKind, checkout_kinds, kinds
from .models import CampaignAttribution, CampaignClick, CampaignMessage, MessageStatus


@dataclass(frozen=True)
class CampaignFigures:
    sent: int
    clicked: int
    reminded_checkouts: int
    recovered_checkouts: int
    recovered_orders: int
    # None when the report has no currency (no order ever, none named).
    recovered_revenue: Money | None
    recovery_rate: Decimal | None
    discount_cost: Money | None
    roi: Decimal | None


@dataclass(frozen=True)
class CampaignStepFigures:
    step: int  # 1 for the campaign's first email
    totals: CampaignFigures


@dataclass(frozen=True)
class CampaignKindFigures:
    kind: CampaignKind
    totals: CampaignFigures
    steps: tuple[CampaignStepFigures, ...]


@dataclass(frozen=True)
class CampaignReport:
    channel: str
    period: Period
    currency: str | None
    totals: CampaignFigures
    kinds: tuple[CampaignKindFigures, ...]


@dataclass
class _Counts:
    sent: int = 0
    clicked: int = 0
    reminded: int = 0
    recovered_checkouts: int = 0
    orders: int = 0
    revenue: Decimal = Decimal(0)
    cost: Decimal = Decimal(0)


@register("campaigns")
def compute_campaigns(
    channel: str, period: Period, *, currency: str | None = None
) -> CampaignReport:
    """Every campaign's figures for ``channel`` over ``period`` (``docs/kpis.md``).

    ``currency`` is the channel's; without it, that of its latest order.
    """
    code = report_currency(channel, currency)
    steps: dict[tuple[str, int], _Counts] = defaultdict(_Counts)
    per_kind: dict[str, _Counts] = defaultdict(_Counts)
    sent = CampaignMessage.objects.filter(
        channel=channel,
        status=MessageStatus.SENT,
        sent_at__gte=period.start_utc,
        sent_at__lt=period.end_utc,
    )
    for row in _per_step(sent, "kind", "step", sent=Count("pk")):
        steps[row["kind"], row["step"]].sent = row["sent"]
    # Checkouts reminded of: the subjects of the kinds about a checkout.
    reminded = sent.filter(kind__in=checkout_kinds())
    for row in _per_step(reminded, "kind", "step", n=Count("subject", distinct=True)):
        steps[row["kind"], row["step"]].reminded = row["n"]
    for kind, n in (
        reminded.order_by()
        .values_list("kind")
        .annotate(n=Count("subject", distinct=True))
    ):
        per_kind[kind].reminded = n
    clicks = CampaignClick.objects.filter(
        message__channel=channel, at__gte=period.start_utc, at__lt=period.end_utc
    )
    for row in _per_step(
        clicks, "message__kind", "message__step", n=Count("message", distinct=True)
    ):
        steps[row["message__kind"], row["message__step"]].clicked = row["n"]
    recovered = CampaignAttribution.objects.filter(
        channel=channel, placed_at__gte=period.start_utc, placed_at__lt=period.end_utc
    )
    # Money only from orders still standing at the period's end, in its currency.
    standing = Q(currency=code or "") & (
        Q(voided_at__isnull=True) | Q(voided_at__gte=period.end_utc)
    )
    for row in _per_step(
        recovered,
        "message__kind",
        "message__step",
        orders=Count("pk"),
        checkouts=Count("checkout", distinct=True, filter=~Q(checkout="")),
        revenue=Sum("revenue", filter=standing),
        cost=Sum("discount_cost", filter=standing),
    ):
        counts = steps[row["message__kind"], row["message__step"]]
        counts.orders = row["orders"]
        counts.recovered_checkouts = row["checkouts"]
        counts.revenue = row["revenue"] or Decimal(0)
        counts.cost = row["cost"] or Decimal(0)
    for kind, n in (
        recovered.exclude(checkout="")
        .order_by()
        .values_list("message__kind")
        .annotate(n=Count("checkout", distinct=True))
    ):
        per_kind[kind].recovered_checkouts = n
    configured = _configured_steps(channel)
    every = kinds()
    by_kind = tuple(
        _kind_figures(kind, steps, per_kind[kind.value], configured[kind], code)
        for kind in every
    )
    total = _Counts(
        reminded=sum(per_kind[kind].reminded for kind in checkout_kinds()),
        recovered_checkouts=sum(
            per_kind[kind].recovered_checkouts for kind in checkout_kinds()
        ),
    )
    _add(total, (per_kind[kind.value] for kind in every))
    return CampaignReport(
        channel=channel,
        period=period,
        currency=code,
        totals=_figures(total, code),
        kinds=by_kind,
    )


def _per_step(rows: QuerySet, kind: str, step: str, **aggregates) -> Iterable[dict]:
    return rows.order_by().values(kind, step).annotate(**aggregates)


def _kind_figures(
    kind: CampaignKind,
    steps: dict[tuple[str, int], _Counts],
    counts: _Counts,
    configured: int,
    currency: str | None,
) -> CampaignKindFigures:
    """The campaign's steps: those configured, and any older one with figures."""
    numbers = set(range(1, configured + 1)) | {
        number for (name, number) in steps if name == kind.value
    }
    mine = [(number, steps.get((kind.value, number), _Counts())) for number in numbers]
    _add(counts, (step for _, step in mine))
    return CampaignKindFigures(
        kind=kind,
        totals=_figures(counts, currency),
        steps=tuple(
            CampaignStepFigures(step=number, totals=_figures(step, currency))
            for number, step in sorted(mine)
        ),
    )


def _add(total: _Counts, parts: Iterable[_Counts]) -> None:
    """Sum the parts' additive figures into ``total`` (distinct counts stay)."""
    for part in parts:
        total.sent += part.sent
        total.clicked += part.clicked
        total.orders += part.orders
        total.revenue += part.revenue
        total.cost += part.cost


def _figures(counts: _Counts, currency: str | None) -> CampaignFigures:
    revenue = cost = None
    roi = None
    if currency is not None:
        revenue = Money(quantize(counts.revenue, currency), currency)
        cost = Money(quantize(counts.cost, currency), currency)
        if cost.amount:
            roi = PRECISION.divide(
                PRECISION.subtract(revenue.amount, cost.amount), cost.amount
            )
    return CampaignFigures(
        sent=counts.sent,
        clicked=counts.clicked,
        reminded_checkouts=counts.reminded,
        recovered_checkouts=counts.recovered_checkouts,
        recovered_orders=counts.orders,
        recovered_revenue=revenue,
        recovery_rate=rate(counts.recovered_checkouts, counts.reminded),
        discount_cost=cost,
        roi=roi,
    )


def _configured_steps(channel: str) -> dict[CampaignKind, int]:
    settings = get_host().channel_settings(channel)
    steps = campaign_settings.of(settings).steps if settings else {}
    return {kind: len(steps.get(kind, ())) for kind in kinds()}
