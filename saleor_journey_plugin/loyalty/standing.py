"""What a customer has: balance, tier, points to the next tier, what expires soon."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Sum
from django.utils import timezone

from .models import EntryKind, LedgerEntry, LoyaltyAccount
from .settings import LoyaltySettings, Tier

TIER_WINDOW = timedelta(days=365)
EXPIRING_SOON_DAYS = 30
# What counts as earned for tiers: earnings, less what refunds took back.
EARNED_KINDS = (EntryKind.EARN_ORDER, EntryKind.EARN_REVIEW, EntryKind.REVERSE_REFUND)


def tier_of(earned: int, tiers: tuple[Tier, ...]) -> Tier:
    """The highest tier whose threshold ``earned`` points reach."""
    reached = tiers[0]
    for tier in tiers:
        if earned >= tier.threshold:
            reached = tier
    return reached


def points_to_next_tier(earned: int, tiers: tuple[Tier, ...]) -> int | None:
    """Points still to earn for the next tier; None at the top one."""
    for tier in tiers:
        if tier.threshold > earned:
            return tier.threshold - earned
    return None


def balance(channel: str, customer: int) -> int:
    found = (
        LoyaltyAccount.objects.filter(channel=channel, customer_id=customer)
        .values_list("balance", flat=True)
        .first()
    )
    return found or 0


def earned_in_window(channel: str, customer: int, at: datetime) -> int:
    """Points earned (net of refund reversals) in the 365 days up to ``at``."""
    total = LedgerEntry.objects.filter(
        channel=channel,
        customer_id=customer,
        kind__in=EARNED_KINDS,
        occurred_at__gt=at - TIER_WINDOW,
        occurred_at__lte=at,
    ).aggregate(total=Sum("points"))["total"]
    return max(total or 0, 0)


def expiring_within(
    channel: str,
    customer: int,
    days: int = EXPIRING_SOON_DAYS,
    now: datetime | None = None,
) -> int:
    """Unspent points whose expiry falls in the next ``days`` days."""
    now = now or timezone.now()
    total = LedgerEntry.objects.filter(
        channel=channel,
        customer_id=customer,
        remaining__gt=0,
        expires_at__isnull=False,
        expires_at__lte=now + timedelta(days=days),
    ).aggregate(total=Sum("remaining"))["total"]
    return total or 0


@dataclass(frozen=True)
class Standing:
    """A customer's loyalty at a glance (what ``myLoyalty`` answers)."""

    balance: int
    tier: Tier
    earned_in_window: int
    points_to_next_tier: int | None
    expiring_soon: int


def standing(
    channel: str, customer: int, settings: LoyaltySettings, now: datetime | None = None
) -> Standing:
    now = now or timezone.now()
    earned = earned_in_window(channel, customer, now)
    return Standing(
        balance=balance(channel, customer),
        tier=tier_of(earned, settings.tiers),
        earned_in_window=earned,
        points_to_next_tier=points_to_next_tier(earned, settings.tiers),
        expiring_soon=expiring_within(channel, customer, EXPIRING_SOON_DAYS, now),
    )
