"""Saleor webhook payloads -> the core's plain events, keyed as the plugin keys
the same facts (``saleor_journey_plugin.core.keys``).

Payloads carry GraphQL global IDs; keys and customer ids use the store's own
ids inside them (a user's pk, an order's UUID, a checkout's token), as the
plugin reads them from Saleor's models.
"""

import base64
import binascii
from dataclasses import replace
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from saleor_journey_plugin.campaigns.attribution import coupon_payload
from saleor_journey_plugin.core import keys
from saleor_journey_plugin.core.events import EventType, JourneyEventData, TouchChannel
from saleor_journey_plugin.core.host import CouponUse
from saleor_journey_plugin.reports.money import quantize

from .subscriptions import Subscription

DRAFT = "DRAFT"
VOUCHER = "VOUCHER"

ORDER_EVENTS = {
    "ORDER_CREATED": EventType.ORDER_PLACED,
    "ORDER_FULLY_PAID": EventType.ORDER_PAID,
    "ORDER_FULFILLED": EventType.ORDER_FULFILLED,
    "ORDER_CANCELLED": EventType.ORDER_CANCELLED,
}
REFUNDS = frozenset({"ORDER_REFUNDED", "ORDER_FULLY_REFUNDED"})
ACCOUNT_CHANGES = frozenset(
    {"CUSTOMER_UPDATED", "ACCOUNT_CONFIRMED", "ACCOUNT_EMAIL_CHANGED"}
)
DELETIONS = frozenset({"ACCOUNT_DELETED", "CUSTOMER_DELETED"})


class MalformedPayload(ValueError):
    """The body is not what the subscription asks Saleor for."""


def pk_of(value: Any, kind: str) -> str | None:
    """The id inside a Saleor global ID of ``kind``; None for anything else."""
    if not isinstance(value, str):
        return None
    try:
        text = base64.b64decode(value, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    found, _, pk = text.partition(":")
    return pk if found == kind and pk and pk.isprintable() else None


def subject(payload: Any, subscription: Subscription) -> tuple[dict, datetime]:
    """The event's object (checkout, order, user, app) and when Saleor issued it.

    Saleor sends the subscription's ``event`` field itself as the body, not
    GraphQL's ``{"event": ...}`` around it
    (``saleor/graphql/webhook/subscription_payload.py``).
    """
    event = payload if isinstance(payload, dict) else None
    if not isinstance(event, dict) or event.get("__typename") != subscription.typename:
        raise MalformedPayload(f"not a {subscription.typename} payload")
    obj = event.get(subscription.field)
    if not isinstance(obj, dict):
        raise MalformedPayload(
            f"{subscription.typename} carries no {subscription.field}"
        )
    return obj, parse_time(event.get("issuedAt"))


def events(subscription: Subscription, payload: Any) -> list[JourneyEventData]:
    obj, issued_at = subject(payload, subscription)
    name = subscription.event
    if name in ("CHECKOUT_CREATED", "CHECKOUT_UPDATED"):
        return checkout_milestones(obj, issued_at)
    if name == "CHECKOUT_FULLY_PAID":
        return checkout_paid(obj, issued_at)
    if name in ORDER_EVENTS:
        return _listed(order_event(obj, ORDER_EVENTS[name], issued_at))
    if name in REFUNDS:
        return _listed(refund_event(obj, issued_at))
    if name == "CUSTOMER_CREATED":
        return [account_created(obj)]
    if name in ACCOUNT_CHANGES:
        return [account_updated(obj)]
    if name in DELETIONS:
        return [account_deleted(obj, issued_at)]
    return []


def checkout_milestones(checkout: dict, at: datetime) -> list[JourneyEventData]:
    token, channel, user_id, email = _checkout_owner(checkout)
    if not user_id and not email:
        return []  # an anonymous cart is nobody's journey yet
    reached = {
        "started": _int(checkout.get("quantity")) > 0,
        "details": bool(email and checkout.get("shippingAddress")),
        "delivery": bool(checkout.get("delivery")),
    }
    return [
        JourneyEventData(
            type=event_type,
            idempotency_key=keys.checkout_key(token, milestone),
            occurred_at=at,
            channel=channel,
            payload={"checkout": token},
            user_id=user_id,
            email=email,
        )
        for event_type, milestone in keys.CHECKOUT_MILESTONES
        if reached[milestone]
    ]


def checkout_paid(checkout: dict, at: datetime) -> list[JourneyEventData]:
    token, channel, user_id, email = _checkout_owner(checkout)
    if not user_id and not email:
        return []
    return [
        JourneyEventData(
            type=EventType.CHECKOUT_PAID,
            idempotency_key=keys.checkout_key(token, keys.CHECKOUT_PAID),
            occurred_at=at,
            channel=channel,
            payload={"checkout": token},
            user_id=user_id,
            email=email,
        )
    ]


def order_event(
    order: dict, event_type: EventType, at: datetime
) -> JourneyEventData | None:
    if order.get("status") == DRAFT:
        return None  # not an order yet
    order_id = _required_pk(order.get("id"), "Order")
    total = _money(order, "total", "gross")
    currency = _text((order.get("total") or {}).get("gross", {}).get("currency"))
    checkout = pk_of(order.get("checkoutId"), "Checkout")
    placed = event_type is EventType.ORDER_PLACED
    return JourneyEventData(
        type=event_type,
        idempotency_key=keys.order_key(order_id, event_type),
        occurred_at=parse_time(order.get("created")) if placed else at,
        channel=_channel(order),
        touch_channel=TouchChannel.OFFLINE
        if order.get("origin") == DRAFT
        else TouchChannel.WEB,
        payload={
            "order_id": order_id,
            "total": str(total),
            "currency": currency,
            "net": str(_money(order, "total", "net")),
            **({"checkout": checkout} if checkout else {}),
            **({"coupons": coupon_payload(_coupons(order))} if placed else {}),
        },
        user_id=pk_of((order.get("user") or {}).get("id"), "User") or "",
        email=_text(order.get("userEmail")),
    )


def refund_event(order: dict, at: datetime) -> JourneyEventData | None:
    """As the plugin's: the full refund once the refunds reach the total, else
    a partial refund keyed by the amount refunded so far."""
    event = order_event(order, EventType.ORDER_REFUNDED, at)
    refunded = _money(order, "totalRefunded")
    if event is None or refunded <= 0:
        return None
    currency = event.payload["currency"]
    amount = str(quantize(refunded, currency))
    if refunded >= Decimal(event.payload["total"]):
        return replace(event, payload={**event.payload, "refunded": amount})
    return replace(
        event,
        idempotency_key=keys.partial_refund_key(event.payload["order_id"], amount),
        payload={**event.payload, "refunded": amount, "partial": True},
    )


def account_created(user: dict) -> JourneyEventData:
    user_id = _required_pk(user.get("id"), "User")
    return JourneyEventData(
        type=EventType.ACCOUNT_CREATED,
        idempotency_key=keys.account_created_key(user_id),
        occurred_at=parse_time(user.get("dateJoined")),
        user_id=user_id,
        email=_text(user.get("email")),
    )


def account_updated(user: dict) -> JourneyEventData:
    """Keyed as the plugin's hooks key it (source "hook"): by the account's
    ``updatedAt``, its email and whether it is confirmed."""
    user_id = _required_pk(user.get("id"), "User")
    updated_at = parse_time(user.get("updatedAt"))
    email = _text(user.get("email"))
    return JourneyEventData(
        type=EventType.ACCOUNT_UPDATED,
        idempotency_key=keys.account_updated_key(
            user_id,
            updated_at.isoformat(),
            email,
            bool(user.get("isConfirmed")),
            "hook",
        ),
        occurred_at=updated_at,
        touch_channel=TouchChannel.API,
        user_id=user_id,
        email=email,
    )


def account_state(user: dict) -> JourneyEventData:
    """The account as Saleor holds it now, keyed by that state (source
    "backfill") as the plugin's backfill keys it: running a backfill again
    records nothing new."""
    user_id = _required_pk(user.get("id"), "User")
    email = _text(user.get("email"))
    return JourneyEventData(
        type=EventType.ACCOUNT_UPDATED,
        idempotency_key=keys.account_updated_key(
            user_id, "state", email, bool(user.get("isConfirmed")), "backfill"
        ),
        occurred_at=parse_time(user.get("updatedAt")),
        touch_channel=TouchChannel.API,
        user_id=user_id,
        email=email,
    )


def account_deleted(user: dict, at: datetime) -> JourneyEventData:
    user_id = _required_pk(user.get("id"), "User")
    return JourneyEventData(
        type=EventType.CUSTOMER_DELETED,
        idempotency_key=keys.account_deleted_key(user_id),
        occurred_at=at,
        touch_channel=TouchChannel.API,
        user_id=user_id,
        email=_text(user.get("email")),
    )


def _checkout_owner(checkout: dict) -> tuple[str, str, str, str]:
    token = _text(checkout.get("token"))
    if not token:
        raise MalformedPayload("a checkout without its token")
    user_id = pk_of((checkout.get("user") or {}).get("id"), "User") or ""
    return token, _channel(checkout), user_id, _text(checkout.get("email"))


def _coupons(order: dict) -> tuple[CouponUse, ...]:
    """The order's voucher code and what its voucher discounts took off."""
    code = _text(order.get("voucherCode"))
    if not code:
        return ()
    discounts = list(order.get("discounts") or [])
    for line in order.get("lines") or []:
        discounts.extend((line or {}).get("discounts") or [])
    taken = sum(
        (
            _decimal((d.get("total") or {}).get("amount"))
            for d in discounts
            if isinstance(d, dict) and d.get("type") == VOUCHER
        ),
        Decimal(0),
    )
    return (CouponUse(code=code, discount=taken),)


def _channel(obj: dict) -> str:
    slug = _text((obj.get("channel") or {}).get("slug"))
    if not slug:
        raise MalformedPayload("no channel slug")
    return slug


def _money(obj: dict, field: str, kind: str = "") -> Decimal:
    money = obj.get(field) or {}
    if kind:
        money = money.get(kind) or {}
    return _decimal(money.get("amount"))


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value)) if value is not None else Decimal(0)
    except InvalidOperation as error:
        raise MalformedPayload(f"not an amount: {value!r}") from error


def _int(value: Any) -> int:
    return value if isinstance(value, int) else 0


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _required_pk(value: Any, kind: str) -> str:
    pk = pk_of(value, kind)
    if pk is None:
        raise MalformedPayload(f"not a {kind} ID")
    return pk


def parse_time(value: Any) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError) as error:
        raise MalformedPayload(f"not a time: {value!r}") from error
    if moment.tzinfo is None:
        raise MalformedPayload(f"a time without its zone: {value!r}")
    return moment


def _listed(event: JourneyEventData | None) -> list[JourneyEventData]:
    return [event] if event is not None else []
