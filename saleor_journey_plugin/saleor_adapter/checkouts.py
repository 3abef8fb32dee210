"""A Saleor checkout as campaign emails read it."""

import uuid
from decimal import Decimal
from typing import Any

from saleor.checkout.models import Checkout as SaleorCheckout
from saleor.order.models import Order

from ..core.host import Checkout, CheckoutLine


def read_checkout(token: str) -> Checkout | None:
    try:
        uuid.UUID(token)
    except ValueError:
        return None
    checkout = (
        SaleorCheckout.objects.filter(pk=token)
        .select_related("channel", "user")
        .first()
    )
    if checkout is None:
        return None
    lines = tuple(
        _line(line)
        for line in checkout.lines.select_related("variant__product").order_by("pk")
    )
    email = checkout.email or (checkout.user.email if checkout.user else "")
    return Checkout(
        token=str(checkout.pk),
        channel=checkout.channel.slug,
        email=email or "",
        user_id=str(checkout.user_id or ""),
        lines=lines,
        total=checkout.total_gross_amount,
        currency=checkout.currency,
        last_change=checkout.last_change,
        # complete_checkout keeps the token on the order and deletes the
        # checkout; an order found by the token means the checkout is done.
        ordered=Order.objects.filter(checkout_token=str(checkout.pk)).exists(),
    )


def _line(line: Any) -> CheckoutLine:
    variant = line.variant
    name = variant.product.name
    if variant.name and variant.name != name:
        name = f"{name} ({variant.name})"
    quantity = line.quantity
    # Prices are recalculated lazily; the undiscounted unit price is there
    # even when the line's total was never computed.
    total = line.total_price_gross_amount or Decimal(0)
    if total and quantity:
        price = total / quantity
    else:
        price = line.undiscounted_unit_price_amount
    return CheckoutLine(name=name, quantity=quantity, price=Decimal(price))
