"""Points in: paid orders and verified reviews; refunds take them back."""

from collections.abc import Iterable
from datetime import datetime
from decimal import ROUND_FLOOR, Decimal

from django.db import transaction

from .models import EntryKind, LedgerEntry, LoyaltyAccount
from .posting import expiry, insert, locked_account, post, refresh_tier, stored
from .settings import LoyaltySettings
from .standing import earned_in_window, tier_of
from .withdrawal import withdraw_codes


def whole_units(amount: Decimal) -> int:
    return int(amount.to_integral_value(rounding=ROUND_FLOOR))


def order_key(channel: str, order_id: str) -> str:
    return f"earn_order:{channel}:{order_id}"


def refund_key(channel: str, order_id: str, refund: str) -> str:
    return f"reverse_refund:{channel}:{order_id}:{refund}"


def review_key(channel: str, customer: int, product: str) -> str:
    return f"earn_review:{channel}:{customer}:{product}"


# The reversal an earning writes for the refunds recorded before it.
AT_EARNING = "at_earning"


def order_points(net_total: Decimal, settings: LoyaltySettings, earned: int) -> int:
    """Points per whole unit of the net total, times the tier ``earned`` reaches."""
    tier = tier_of(earned, settings.tiers)
    base = max(whole_units(net_total), 0) * settings.points_per_unit
    return whole_units(base * tier.multiplier)


def order_earning(
    channel: str,
    customer: int,
    order_id: str,
    net_total: Decimal,
    points: int,
    settings: LoyaltySettings,
    at: datetime,
) -> LedgerEntry:
    return LedgerEntry(
        channel=channel,
        customer_id=customer,
        kind=EntryKind.EARN_ORDER,
        points=points,
        idempotency_key=order_key(channel, order_id),
        occurred_at=at,
        expires_at=expiry(settings, at),
        amount=net_total,
        order_id=order_id,
    )


def review_earning(
    channel: str,
    customer: int,
    product: str,
    review_id: str,
    settings: LoyaltySettings,
    at: datetime,
) -> LedgerEntry:
    return LedgerEntry(
        channel=channel,
        customer_id=customer,
        kind=EntryKind.EARN_REVIEW,
        points=settings.review_points,
        idempotency_key=review_key(channel, customer, product),
        occurred_at=at,
        expires_at=expiry(settings, at),
        review_id=review_id,
        product=product,
    )


def earn_for_order(
    channel: str,
    customer: int,
    order_id: str,
    net_total: Decimal,
    settings: LoyaltySettings,
    at: datetime,
) -> LedgerEntry | None:
    """Credit a fully paid order: points per whole unit, times the tier then.

    Refunds of the order recorded before it earned (its paid event failed and
    was retried after them) take back their share at once.
    """
    key = order_key(channel, order_id)
    with transaction.atomic():
        account = locked_account(channel, customer)
        if (found := stored(key)) is not None:
            return found
        earned = earned_in_window(channel, customer, at)
        points = order_points(net_total, settings, earned)
        if points <= 0:
            return None
        entry = order_earning(
            channel, customer, order_id, net_total, points, settings, at
        )
        if not insert(entry):
            return stored(key)
        post(account, entry)
        _refunds_recorded_before(account, entry)
        refresh_tier(account, settings)
        return entry


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
    refund: str,
    at: datetime,
    settings: LoyaltySettings | None = None,
) -> LedgerEntry | None:
    """Take back what a refunded order earned, in proportion, never below zero.

    ``refunded`` is what the order has had refunded so far, this refund
    included; a refund of the whole total takes back everything the order
    earned. A refund of an order that has not earned yet is recorded with 0
    points, for the earning to take back when it comes. ``refund`` names the
    refund in the entry's key.
    """
    key = refund_key(channel, order_id, refund)
    with transaction.atomic():
        account = locked_account(channel, customer)
        if (found := stored(key)) is not None:
            return found
        earning = stored(order_key(channel, order_id))
        if earning is None:
            waiting = reversal(account, order_id, 0, 0, refunded, order_total, key, at)
            return waiting if insert(waiting) else stored(key)
        entry = _take_back(account, earning, refunded, order_total, key, at)
        if settings is not None:
            refresh_tier(account, settings)
        return entry


def _refunds_recorded_before(account: LoyaltyAccount, earning: LedgerEntry) -> None:
    """Take back the largest share of the order refunded before it earned."""
    recorded = LedgerEntry.objects.filter(
        channel=earning.channel,
        order_id=earning.order_id,
        kind=EntryKind.REVERSE_REFUND,
    )
    largest = largest_refund(recorded)
    if largest is None or largest.amount is None:
        return
    _take_back(
        account,
        earning,
        largest.amount,
        largest.order_total,
        refund_key(earning.channel, earning.order_id, AT_EARNING),
        max(earning.occurred_at, largest.occurred_at),
    )


def largest_refund(reversals: Iterable[LedgerEntry]) -> LedgerEntry | None:
    """The reversal recorded for the largest share of the order."""
    return max(reversals, key=lambda r: _share(r.amount, r.order_total), default=None)


def owed(
    earning: LedgerEntry,
    refunded: Decimal,
    order_total: Decimal | None,
    reversals: Iterable[LedgerEntry],
) -> int:
    """The points a refunded share calls for beyond what the order's earlier
    reversals asked for (what they took and what they fell short of)."""
    if _share(refunded, order_total) == 1:
        target = earning.points
    else:
        assert order_total is not None  # a share below 1 has a total
        # Multiplied before dividing: 30 points x 1 / 3 is 10, not 9.99...
        target = whole_units(earning.points * refunded / order_total)
    return target - sum(r.shortfall - r.points for r in reversals)


def _share(refunded: Decimal | None, order_total: Decimal | None) -> Decimal:
    """The part of the order refunded so far, 0 to 1."""
    if refunded is None:
        return Decimal(0)
    if order_total is None or order_total <= 0 or refunded >= order_total:
        return Decimal(1)
    return max(refunded, Decimal(0)) / order_total


def _take_back(
    account: LoyaltyAccount,
    earning: LedgerEntry,
    refunded: Decimal,
    order_total: Decimal | None,
    key: str,
    at: datetime,
) -> LedgerEntry | None:
    """Write the reversal the refunded share calls for, beyond what earlier
    refunds of the order asked for.

    What the balance cannot cover is first sought in unused codes the
    customer redeemed since the order earned (withdrawn); what is still
    missing is recorded as ``shortfall`` and not asked for again.
    """
    before = LedgerEntry.objects.filter(
        channel=earning.channel,
        order_id=earning.order_id,
        kind=EntryKind.REVERSE_REFUND,
    ).only("points", "shortfall")
    wanted = owed(earning, refunded, order_total, before)
    if wanted <= 0:
        return None
    with transaction.atomic():
        returned = []
        if wanted > account.balance:
            returned = withdraw_codes(account, earning, wanted - account.balance, at)
        taken = min(wanted, account.balance)
        entry = reversal(
            account,
            earning.order_id,
            taken,
            wanted - taken,
            refunded,
            order_total,
            key,
            at,
        )
        if not insert(entry):
            # The same refund committed meanwhile under another customer's
            # lock: undo the withdrawals made for this one.
            transaction.set_rollback(True)
            return stored(key)
        post(account, entry, first=[earning.pk, *returned])
    return entry


def reversal(
    account: LoyaltyAccount,
    order_id: str,
    taken: int,
    shortfall: int,
    refunded: Decimal,
    order_total: Decimal | None,
    key: str,
    at: datetime,
) -> LedgerEntry:
    return LedgerEntry(
        channel=account.channel,
        customer_id=account.customer_id,
        kind=EntryKind.REVERSE_REFUND,
        points=-taken,
        shortfall=shortfall,
        idempotency_key=key,
        occurred_at=at,
        amount=refunded,
        order_total=order_total,
        order_id=order_id,
    )


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
    key = review_key(channel, customer, product)
    with transaction.atomic():
        account = locked_account(channel, customer)
        if (found := stored(key)) is not None:
            return found
        if settings.review_points <= 0:
            return None
        entry = review_earning(channel, customer, product, review_id, settings, at)
        return _earned(account, entry, settings)
