"""The voucher code a Saleor order used, and what it took off the order.

Saleor keeps an order's code in ``Order.voucher_code``; the discount of an
entire-order voucher (the plugin's campaign coupons) is an ``OrderDiscount`` of
type VOUCHER, and that of a voucher for some products an ``OrderLineDiscount``
of the same type. Their ``amount_value`` is in the order's currency.
"""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet, Sum
from saleor.discount import DiscountType
from saleor.discount.models import OrderDiscount, OrderLineDiscount
from saleor.order.models import Order

from ..core.host import CouponUse


def order_discounts(order_id: Any) -> tuple[QuerySet, QuerySet]:
    """The voucher discounts of an order (``OuterRef("pk")`` for a subquery)."""
    return (
        OrderDiscount.objects.filter(order_id=order_id, type=DiscountType.VOUCHER),
        OrderLineDiscount.objects.filter(
            line__order_id=order_id, type=DiscountType.VOUCHER
        ),
    )


def voucher_discount(order: Any) -> Decimal:
    """The order's voucher discount: two indexed sums (a hook on an order with
    a code), or the backfill's annotation."""
    annotated = getattr(order, "voucher_discount", None)
    if annotated is not None:
        return annotated
    total = Decimal(0)
    for rows in order_discounts(order.pk):
        total += rows.aggregate(total=Sum("amount_value"))["total"] or Decimal(0)
    return total


def order_coupons(order: Any) -> tuple[CouponUse, ...]:
    code = getattr(order, "voucher_code", None)
    if not code:
        return ()
    return (CouponUse(code=code, discount=voucher_discount(order)),)


def coupons_of(channel: str, order_id: str) -> tuple[CouponUse, ...] | None:
    """For ``Host.order_coupons``: None once the order is gone."""
    try:
        order = (
            Order.objects.filter(pk=order_id, channel__slug=channel)
            .only("pk", "voucher_code")
            .first()
        )
    except ValidationError:  # not an order id of this store
        return None
    return None if order is None else order_coupons(order)
