"""Points in: paid orders and verified reviews; refunds take them back."""

from datetime import datetime
from decimal import ROUND_FLOOR, Decimal

from django.db import transaction
from django.db.models import F, Sum

from .models import Kind, LedgerEntry, LoyaltyAccount
from .posting import expiry, insert, locked_account, post, refresh_tier, stored
from .settings import LoyaltySettings
from .standing import earned_in_window, tier_of


def whole_units(amount: Decimal) -> int:
    return int(amount.to_integral_value(rounding=ROUND_FLOOR))


def earn_for_order(
    channel: str,
    customer: int,
    order_id: str,
    net_total: Decimal,
    settings: LoyaltySettings,
    at: datetime,
) -> LedgerEntry | None:
    """Credit a fully paid order: points per whole unit, times the tier then."""
    key = f"earn_order:{channel}:{order_id}"
    with transaction.atomic():
        account = locked_account(channel, customer)
        if (found := stored(key)) is not None:
            return found
        tier = tier_of(earned_in_window(channel, customer, at), settings.tiers)
        base = max(whole_units(net_total), 0) * settings.points_per_unit
        points = whole_units(base * tier.multiplier)
        if points <= 0:
            return None
        entry = LedgerEntry(
            channel=channel,
            customer_id=customer,
            kind=Kind.EARN_ORDER,
            points=points,
            idempotency_key=key,
            occurred_at=at,
            expires_at=expiry(settings, at),
            amount=net_total,
            order_id=order_id,
        )
        return _earned(account, entry, settings)


def _earned(
    account: LoyaltyAccount, entry: LedgerEntry, settings: LoyaltySettings
) -> LedgerEntry | None:
    """Post an earning once: a key already stored returns its entry."""
    if not insert(entry):
        return stored(entry.idempotency_key)
    post(account, entry)
    refresh_tier(account, settings)
    return entry


def reverse_for_refund(
    channel: str,
    customer: int,
    order_id: str,
    refunded: Decimal,
    order_total: Decimal,
    refund_key: str,
    at: datetime,
    settings: LoyaltySettings | None = None,
) -> LedgerEntry | None:
    """Take back what a refunded order earned, in proportion, never below zero.

    ``refunded`` is what the order has had refunded so far, this refund
    included; a refund of the whole total takes back everything the order
    earned. The entry asks for the points the proportion (rounded down) calls
    for beyond what earlier refunds of the order asked for; what the balance
    cannot cover is recorded as ``shortfall`` and not asked for again.
    """
    key = f"reverse_refund:{channel}:{order_id}:{refund_key}"
    with transaction.atomic():
        account = locked_account(channel, customer)
        if (found := stored(key)) is not None:
            return found
        earning = stored(f"earn_order:{channel}:{order_id}")
        if earning is None:
            return None
        if order_total <= 0 or refunded >= order_total:
            target = earning.points
        else:
            target = whole_units(earning.points * refunded / order_total)
        before = LedgerEntry.objects.filter(
            channel=channel, order_id=order_id, kind=Kind.REVERSE_REFUND
        ).aggregate(asked=Sum(F("shortfall") - F("points")))["asked"]
        wanted = target - (before or 0)
        if wanted <= 0:
            return None
        taken = min(wanted, account.balance)
        entry = LedgerEntry(
            channel=channel,
            customer_id=customer,
            kind=Kind.REVERSE_REFUND,
            points=-taken,
            shortfall=wanted - taken,
            idempotency_key=key,
            occurred_at=at,
            amount=refunded,
            order_id=order_id,
        )
        if not insert(entry):
            return stored(key)
        post(account, entry, first=earning.pk)
        if settings is not None:
            refresh_tier(account, settings)
        return entry


def earn_for_review(
    channel: str,
    customer: int,
    product: str,
    review_id: str,
    settings: LoyaltySettings,
    at: datetime,
) -> LedgerEntry | None:
    """Credit a verified review, once per customer and product.

    ``product`` is the host's one id of the product bought
    (``Host.purchased_product``), never the name the review used, so no alias
    of it earns again.
    """
    key = f"earn_review:{channel}:{customer}:{product}"
    with transaction.atomic():
        account = locked_account(channel, customer)
        if (found := stored(key)) is not None:
            return found
        if settings.review_points <= 0:
            return None
        entry = LedgerEntry(
            channel=channel,
            customer_id=customer,
            kind=Kind.EARN_REVIEW,
            points=settings.review_points,
            idempotency_key=key,
            occurred_at=at,
            expires_at=expiry(settings, at),
            review_id=review_id,
            product=product,
        )
        return _earned(account, entry, settings)
