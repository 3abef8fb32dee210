"""Saleor objects -> plain journey events.

Reads only attributes already loaded on the object: these run inside Saleor's
checkout and order requests. Whether a checkout has a line is asked by the
event's INSERT itself (``checkout_conditions``).
"""

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from saleor.order import OrderChargeStatus

from ..campaigns.attribution import coupon_payload
from ..core import keys as idempotency
from ..core.events import EventType, JourneyEventData, TouchChannel
from ..core.keys import CHECKOUT_MILESTONES
from ..core.recording import Condition
from ..reports.money import quantize
from .redemptions import order_coupons

DRAFT = "draft"
# An order's charge status once it is paid in full.
FULLY_CHARGED = (OrderChargeStatus.FULL, OrderChargeStatus.OVERCHARGED)


def _identity(obj: Any, email_attr: str) -> tuple[str, str]:
    """(user id, email) of whoever owns the checkout or order; either may be empty."""
    user_id = getattr(obj, "user_id", None)
    return (str(user_id) if user_id else "", getattr(obj, email_attr, "") or "")


def checkout_keys(checkout: Any) -> list[str]:
    """Keys of the milestones a checkout can report; none while it has no owner.

    An anonymous cart (no user, no email yet) is nobody's journey yet.
    """
    user_id, email = _identity(checkout, "email")
    if not user_id and not email:
        return []
    return [
        idempotency.checkout_key(str(checkout.pk), milestone)
        for _, milestone in CHECKOUT_MILESTONES
    ]


def checkout_events(
    checkout: Any,
    channel: str,
    *,
    occurred_at: Mapping[str, datetime] | None = None,
    has_lines: bool | None = None,
) -> list[JourneyEventData]:
    """The milestones a checkout has reached, each keyed once per checkout.

    Saleor reports every checkout change; keying by milestone turns a stream of
    updates into at most three facts (the log skips those it holds).

    Hooks leave ``occurred_at`` (milestone name -> time) and ``has_lines`` out:
    now, and "started" is recorded only if the checkout has a line when it is
    written (``checkout_conditions``). The backfill passes what it read in bulk.
    """
    keys = checkout_keys(checkout)
    if not keys:
        return []
    reached = {
        "started": lambda: True if has_lines is None else has_lines,
        "details": lambda: bool(
            checkout.email and getattr(checkout, "shipping_address_id", None)
        ),
        "delivery": lambda: _delivery_chosen(checkout),
    }
    user_id, email = _identity(checkout, "email")
    now = timezone.now()
    times = occurred_at or {}
    return [
        JourneyEventData(
            type=event_type,
            idempotency_key=key,
            occurred_at=times.get(milestone, now),
            channel=channel,
            payload={"checkout": str(checkout.pk)},
            user_id=user_id,
            email=email,
        )
        for (event_type, milestone), key in zip(CHECKOUT_MILESTONES, keys, strict=True)
        if reached[milestone]()
    ]


def checkout_conditions(checkout: Any) -> dict[str, Condition]:
    """A checkout is started once it has a line: asked when the event is
    written, so a hook spends no statement of its own on it."""
    table = checkout.lines.model._meta.db_table
    return {
        idempotency.checkout_key(str(checkout.pk), "started"): Condition(
            f"EXISTS (SELECT 1 FROM {table} WHERE checkout_id = %s)", (checkout.pk,)
        )
    }


def _delivery_chosen(checkout: Any) -> bool:
    return any(
        getattr(checkout, attr, None)
        for attr in (
            "assigned_delivery_id",
            "shipping_method_id",
            "collection_point_id",
            "external_shipping_method_id",
        )
    )


def checkout_paid_event(
    checkout: Any, channel: str, occurred_at: datetime | None = None
) -> JourneyEventData | None:
    user_id, email = _identity(checkout, "email")
    if not user_id and not email:
        return None
    return JourneyEventData(
        type=EventType.CHECKOUT_PAID,
        idempotency_key=idempotency.checkout_key(
            str(checkout.pk), idempotency.CHECKOUT_PAID
        ),
        occurred_at=occurred_at or timezone.now(),
        channel=channel,
        payload={"checkout": str(checkout.pk)},
        user_id=user_id,
        email=email,
    )


def order_event(
    order: Any,
    event_type: EventType,
    channel: str,
    occurred_at: datetime | None = None,
) -> JourneyEventData | None:
    """One order milestone; drafts are not orders yet and record nothing.

    An order is placed at its ``created_at``; other milestones happen now (a
    hook) or at ``occurred_at`` (the backfill, from Saleor's records). The
    placed event names the voucher code the order used and its discount
    (``coupons``, an empty list without one): the campaigns' cost.
    """
    if order.status == DRAFT:
        return None
    if occurred_at is None:
        placed = event_type is EventType.ORDER_PLACED
        occurred_at = order.created_at if placed else timezone.now()
    user_id, email = _identity(order, "user_email")
    return JourneyEventData(
        type=event_type,
        idempotency_key=idempotency.order_key(str(order.pk), event_type),
        occurred_at=occurred_at,
        channel=channel,
        touch_channel=TouchChannel.OFFLINE
        if order.origin == DRAFT
        else TouchChannel.WEB,
        payload={
            "order_id": str(order.pk),
            "total": str(order.total_gross_amount),
            "currency": order.currency,
            # Loyalty points are earned on the net total.
            "net": str(order.total_net_amount),
            # Ties the order to its checkout, which is then not abandoned.
            **({"checkout": str(order.checkout_token)} if order.checkout_token else {}),
            **(
                {"coupons": coupon_payload(order_coupons(order))}
                if event_type is EventType.ORDER_PLACED
                else {}
            ),
        },
        user_id=user_id,
        email=email,
    )


def order_created_events(order: Any, channel: str) -> list[JourneyEventData]:
    """What an order's creation reports: it was placed and, when it is paid in
    full already (a checkout paid before it completed), paid.

    Saleor reports such an order fully paid right after (``order_fully_paid``,
    the same key): writing both facts in the creation's one INSERT spares the
    checkout a second statement.
    """
    placed = order_event(order, EventType.ORDER_PLACED, channel)
    if placed is None:
        return []
    if order.charge_status not in FULLY_CHARGED:
        return [placed]
    paid = order_event(order, EventType.ORDER_PAID, channel)
    return [placed] if paid is None else [placed, paid]


def refund_event(
    order: Any,
    channel: str,
    refunded: Decimal,
    occurred_at: datetime | None = None,
) -> JourneyEventData | None:
    """A refund of ``order``, which has had ``refunded`` refunded so far.

    Once that reaches the order's total, this is the order's full refund (one
    per order, as Saleor's "fully refunded"). Before, each amount so far is a
    partial refund of its own, keyed by it and marked ``partial``: loyalty
    takes back its share of the points, and revenue loses what it adds to
    what was refunded before.
    Nothing refunded is no refund.
    """
    event = order_event(order, EventType.ORDER_REFUNDED, channel, occurred_at)
    if event is None or refunded <= 0:
        return None
    amount = str(quantize(refunded, order.currency))
    if refunded >= order.total_gross_amount:
        return replace(event, payload={**event.payload, "refunded": amount})
    return replace(
        event,
        idempotency_key=idempotency.partial_refund_key(str(order.pk), amount),
        payload={**event.payload, "refunded": amount, "partial": True},
    )


def account_created_event(user: Any) -> JourneyEventData:
    return JourneyEventData(
        type=EventType.ACCOUNT_CREATED,
        idempotency_key=idempotency.account_created_key(str(user.pk)),
        occurred_at=getattr(user, "date_joined", None) or timezone.now(),
        user_id=str(user.pk),
        email=user.email or "",
    )


def account_deleted_event(user: Any) -> JourneyEventData:
    return JourneyEventData(
        type=EventType.CUSTOMER_DELETED,
        idempotency_key=idempotency.account_deleted_key(str(user.pk)),
        occurred_at=timezone.now(),
        touch_channel=TouchChannel.API,
        user_id=str(user.pk),
        email=user.email or "",
    )


def account_updated_event(user: Any, source: str) -> JourneyEventData:
    """The account as Saleor holds it now: its own email, once the owner
    confirmed it or a new one, or staff changed it (Saleor links the guest
    orders placed with it then).

    A live change ("saved", "hook") is keyed by its time, so a later change
    (even back to an older address) is a new fact, and each reporter says it
    once: a hook arriving after Saleor linked the orders is looked at again.
    The backfill ("backfill") keys the state itself, so running it again
    records nothing new (Saleor's ``updated_at`` moves with every save,
    metadata included)."""
    updated_at = getattr(user, "updated_at", None) or timezone.now()
    confirmed = bool(getattr(user, "is_confirmed", True))
    when = "state" if source == "backfill" else updated_at.isoformat()
    return JourneyEventData(
        type=EventType.ACCOUNT_UPDATED,
        idempotency_key=idempotency.account_updated_key(
            str(user.pk), when, user.email, confirmed, source
        ),
        occurred_at=updated_at,
        touch_channel=TouchChannel.API,
        user_id=str(user.pk),
        email=user.email or "",
    )
