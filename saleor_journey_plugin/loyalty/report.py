"""The loyalty report: points in and out over a period, and what is owed at its end.

Registered as the ``loyalty`` report (``journeyReport { loyalty }``). Every
figure is an aggregate over the channel's ledger entries by ``occurred_at``
(the ``journey_loyalty_channel_time`` index): a redemption counts when it was
made, an expiry on the day the points expired, a refund when it was recorded.
Entries of erased customers count (their amounts are kept for the store's
liability); they are members of no tier, being no one.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum

from ..core.host import get_host
from ..reports.money import quantize
from ..reports.orders import report_currency
from ..reports.period import Period
from ..reports.rates import rate
from ..reports.registry import register
from ..reports.results import Money
from .models import EntryKind, LedgerEntry
from .settings import LoyaltySettings
from .standing import EARNED_KINDS, TIER_WINDOW

# Points given: earnings and staff additions. Points taken back: what refunds
# reversed and staff removals. With redemptions and expiry, these are every
# way the outstanding points change:
#   outstanding at the end = outstanding at the start
#                            + issued - redeemed - expired - reversed
ISSUED = Q(kind__in=[EntryKind.EARN_ORDER, EntryKind.EARN_REVIEW]) | Q(
    kind=EntryKind.ADJUST, points__gt=0
)
REVERSED = Q(kind=EntryKind.REVERSE_REFUND) | Q(kind=EntryKind.ADJUST, points__lt=0)
# Points turned into codes, less codes a refund withdrew unused.
REDEEMED = Q(kind__in=[EntryKind.REDEEM, EntryKind.WITHDRAW])


@dataclass(frozen=True)
class TierMembers:
    name: str
    threshold: int
    members: int


@dataclass(frozen=True)
class LoyaltyReport:
    channel: str
    period: Period
    # None when the caller named none and the channel never had an order.
    currency: str | None
    issued: int
    redeemed: int
    expired: int
    reversed: int
    # Unspent points at the end of the period, and their worth (the liability).
    outstanding: int
    outstanding_value: Money | None
    # redeemed / issued in the period; None when nothing was issued.
    redemption_rate: Decimal | None
    # Customers with a ledger entry before the end of the period.
    members: int
    # Every configured tier, in threshold order, with its members at the end.
    tiers: tuple[TierMembers, ...]


@register("loyalty")
def compute_loyalty(
    channel: str,
    period: Period,
    *,
    currency: str | None = None,
    settings: LoyaltySettings | None = None,
) -> LoyaltyReport:
    """The loyalty figures of ``docs/kpis.md`` for ``channel`` over ``period``.

    ``settings`` gives the point value and the tiers (the channel's own when
    omitted); ``currency`` is the channel's, as for the KPIs.
    """
    settings = settings or _channel_settings(channel)
    code = report_currency(channel, currency)
    flows = LedgerEntry.objects.filter(
        channel=channel,
        occurred_at__gte=period.start_utc,
        occurred_at__lt=period.end_utc,
    ).aggregate(
        issued=Sum("points", filter=ISSUED),
        redeemed=Sum("points", filter=REDEEMED),
        expired=Sum("points", filter=Q(kind=EntryKind.EXPIRE)),
        reversed=Sum("points", filter=REVERSED),
    )
    issued = flows["issued"] or 0
    redeemed = -(flows["redeemed"] or 0)
    before_end = LedgerEntry.objects.filter(
        channel=channel, occurred_at__lt=period.end_utc
    )
    ledger = before_end.aggregate(
        outstanding=Sum("points"),
        # A refund recorded before its order earned leaves a 0-point entry (for
        # the earning to take back later): it makes nobody a member.
        members=Count("customer", distinct=True, filter=~Q(points=0)),
    )
    outstanding = ledger["outstanding"] or 0
    return LoyaltyReport(
        channel=channel,
        period=period,
        currency=code,
        issued=issued,
        redeemed=redeemed,
        expired=-(flows["expired"] or 0),
        reversed=-(flows["reversed"] or 0),
        outstanding=outstanding,
        outstanding_value=(
            None
            if code is None
            else Money(quantize(outstanding * settings.point_value, code), code)
        ),
        redemption_rate=rate(redeemed, issued),
        members=ledger["members"],
        tiers=tier_members(channel, period, settings, ledger["members"]),
    )


def _channel_settings(channel: str) -> LoyaltySettings:
    found = get_host().channel_settings(channel)
    if found is None or found.loyalty is None:
        return LoyaltySettings()
    return found.loyalty


def tier_members(
    channel: str, period: Period, settings: LoyaltySettings, members: int
) -> tuple[TierMembers, ...]:
    """How many members each tier had at the end of the period.

    A member's tier is the one their points earned in the 365 days before the
    end of the period reach (earnings less refund reversals, as for the live
    tier), with the channel's tiers as configured now. Only members who earned
    in that window can be above the first tier: one grouped query over it.
    """
    tiers = settings.tiers
    if len(tiers) == 1:
        return (TierMembers(tiers[0].name, tiers[0].threshold, members),)
    earners = (
        LedgerEntry.objects.filter(
            channel=channel,
            customer__isnull=False,
            kind__in=EARNED_KINDS,
            occurred_at__gte=period.end_utc - TIER_WINDOW,
            occurred_at__lt=period.end_utc,
        )
        .values("customer")
        .annotate(earned=Sum("points"))
    )
    reached = earners.aggregate(
        **{
            f"t{index}": Count("customer", filter=Q(earned__gte=tier.threshold))
            for index, tier in enumerate(tiers)
            if index
        }
    )
    # Members who reached each tier's threshold (the first's is everyone), and
    # nobody beyond the last.
    at_least = [members, *(reached[f"t{i}"] for i in range(1, len(tiers))), 0]
    return tuple(
        TierMembers(tier.name, tier.threshold, at_least[i] - at_least[i + 1])
        for i, tier in enumerate(tiers)
    )
