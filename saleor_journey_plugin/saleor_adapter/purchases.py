"""Verified purchases: does a reviewer's paid Saleor order hold what they review?

Reviews name products and orders the way the storefront shows them: global IDs
(base64 of ``Product:<id>``, ``ProductVariant:<id>``, ``Order:<uuid>``), a SKU,
an order's UUID or its number.
"""

import base64
import binascii
import uuid

from django.db.models import Q, QuerySet
from saleor.account.models import User
from saleor.order import OrderChargeStatus, OrderStatus
from saleor.order.models import Order, OrderLine

from ..core.events import normalize_email
from ..core.queries import find_customer

PAID = (OrderChargeStatus.FULL, OrderChargeStatus.OVERCHARGED)
NOT_ORDERS = (OrderStatus.DRAFT, OrderStatus.CANCELED, OrderStatus.EXPIRED)
_MAX_ORDER_NUMBER = 2**31 - 1


def has_paid_order(channel: str, email: str, product: str, order: str) -> bool:
    email = normalize_email(email)
    if not email:
        return False
    paid = _paid_orders_of(email).filter(channel__slug=channel)
    if order:
        named = _order_match(order)
        if named is not None and paid.filter(named).exists():
            return True
    if product:
        return OrderLine.objects.filter(
            _line_match(product), order_id__in=paid.values("pk")
        ).exists()
    return False


def _paid_orders_of(email: str) -> QuerySet[Order]:
    """Paid orders placed by the email's customer: its account's, or as a guest."""
    user_ids = set(User.objects.filter(email=email).values_list("pk", flat=True))
    customer = find_customer(email=email)
    if customer is not None and customer.user_id and customer.user_id.isdigit():
        # The journey knows the account even where its email differs in case.
        user_ids.add(int(customer.user_id))
    # Guests' emails keep the case they were typed in: ILIKE finds them through
    # Saleor's trigram index on user_email, iexact keeps the exact address.
    guest = Q(user_email__ilike=email, user_email__iexact=email)
    return Order.objects.filter(
        Q(user_id__in=user_ids) | guest, charge_status__in=PAID
    ).exclude(status__in=NOT_ORDERS)


def any_order_of(user_id: str, order_ids: list[str]) -> bool:
    """Whether Saleor shows one of these orders (by pk) as the user's: it
    links a guest's orders to an account (``match_orders_with_new_user``)
    once the account's owner proved the address."""
    pks = []
    for order_id in order_ids:
        try:
            pks.append(uuid.UUID(order_id))
        except ValueError:
            continue
    if not pks or not (user_id.isascii() and user_id.isdigit()):
        return False
    return Order.objects.filter(pk__in=pks, user_id=int(user_id)).exists()


def _order_match(value: str) -> Q | None:
    kind, key = _global_id(value) or ("", value)
    if kind not in ("", "Order"):
        return None
    if key.isascii() and key.isdigit() and not kind:
        number = int(key)
        return Q(number=number) if number <= _MAX_ORDER_NUMBER else None
    try:
        return Q(pk=uuid.UUID(key))
    except ValueError:
        return None


def _line_match(value: str) -> Q:
    kind, key = _global_id(value) or ("", "")
    if kind == "Product" and key.isdigit():
        return Q(variant__product_id=int(key))
    if kind == "ProductVariant" and key.isdigit():
        # A deleted variant leaves its global ID on the line.
        return Q(variant_id=int(key)) | Q(product_variant_id=value)
    return Q(product_sku=value) | Q(variant__sku=value)


def _global_id(value: str) -> tuple[str, str] | None:
    try:
        decoded = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    kind, colon, key = decoded.partition(":")
    if not colon or kind not in ("Order", "Product", "ProductVariant") or not key:
        return None
    return kind, key
