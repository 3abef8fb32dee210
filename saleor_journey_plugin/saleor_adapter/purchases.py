"""Verified purchases: which product of a reviewer's paid Saleor order a review is of.

Reviews name products and orders the way the storefront shows them: global IDs
(base64 of ``Product:<id>``, ``ProductVariant:<id>``, ``Order:<uuid>``), a SKU,
an order's UUID or its number. Every way of naming one product resolves to the
same answer, the product's global ID, so the reward keyed on it is paid once.
"""

import binascii
import uuid

import graphene
from django.db.models import Q, QuerySet
from saleor.account.models import User
from saleor.order import OrderStatus
from saleor.order.models import Order, OrderLine

from ..core.events import normalize_email
from ..core.queries import find_customer
from .translate import FULLY_CHARGED

NOT_ORDERS = (OrderStatus.DRAFT, OrderStatus.CANCELED, OrderStatus.EXPIRED)
# Saleor's integer keys (order numbers, product and variant ids) are int4: a
# larger one names nothing, and comparing it would be a database error.
_MAX_INT = 2**31 - 1


def purchased_product(channel: str, email: str, product: str, order: str) -> str | None:
    """The global ID of the product ``product`` names, when it is a line of a
    paid order of the email's customer in ``channel`` (of ``order``, when it is
    named); None otherwise."""
    email = normalize_email(email)
    line = _line_match(product) if product else None
    if not email or line is None:
        return None
    paid = _paid_orders_of(email).filter(channel__slug=channel)
    if order:
        named = _order_match(order)
        if named is None:
            return None
        paid = paid.filter(named)
    # A line whose variant was deleted no longer says which product it was:
    # it cannot be told apart from another name of the same product.
    product_id = (
        OrderLine.objects.filter(
            line, order_id__in=paid.values("pk"), variant__isnull=False
        )
        .order_by("variant__product_id")
        .values_list("variant__product_id", flat=True)
        .first()
    )
    if product_id is None:
        return None
    return graphene.Node.to_global_id("Product", product_id)


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
        Q(user_id__in=user_ids) | guest, charge_status__in=FULLY_CHARGED
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
    if not kind and (number := _integer(key)) is not None:
        return Q(number=number)
    try:
        return Q(pk=uuid.UUID(key))
    except ValueError:
        return None


def _line_match(value: str) -> Q | None:
    """The order lines ``value`` names: a product's or variant's global ID
    (its key zero-padded or not), else a SKU; None for an ID naming nothing."""
    kind, key = _global_id(value) or ("", "")
    if kind in ("Product", "ProductVariant"):
        pk = _integer(key)
        if pk is None:
            return None
        return Q(variant__product_id=pk) if kind == "Product" else Q(variant_id=pk)
    return Q(product_sku=value) | Q(variant__sku=value)


def _global_id(value: str) -> tuple[str, str] | None:
    """(type, key) of a Saleor global ID; None for anything else (a SKU, an
    order number, a UUID, or text that only looks like base64)."""
    try:
        kind, key = graphene.Node.from_global_id(value)
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError):
        return None
    if kind not in ("Order", "Product", "ProductVariant") or not key:
        return None
    return kind, key


def _integer(key: str) -> int | None:
    # isdigit() alone takes other scripts' digits, which int() reads too.
    if not (key.isascii() and key.isdigit()):
        return None
    number = int(key)
    return number if 0 < number <= _MAX_INT else None
