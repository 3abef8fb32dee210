"""A Saleor checkout as campaign emails read it."""

import uuid
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from saleor.checkout.models import Checkout as SaleorCheckout
from saleor.checkout.models import CheckoutLine as SaleorCheckoutLine
from saleor.order.models import Order

from ..core.host import Checkout, CheckoutLine


def read_checkouts(tokens: list[str]) -> dict[str, Checkout | None]:
    """The checkouts with these tokens (None: deleted, or not a token): three
    queries whatever their number."""
    found: dict[str, Checkout | None] = dict.fromkeys(tokens)
    ids: dict[uuid.UUID, list[str]] = {}
    for token in tokens:
        try:
            ids.setdefault(uuid.UUID(token), []).append(token)
        except ValueError:
            continue
    if not ids:
        return found
    checkouts = list(
        SaleorCheckout.objects.filter(pk__in=list(ids))
        .select_related("channel", "user")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=SaleorCheckoutLine.objects.select_related(
                    "variant__product"
                ).order_by("pk"),
            )
        )
    )
    # complete_checkout keeps the token on the order and deletes the
    # checkout; an order found by the token means the checkout is done.
    ordered = set(
        Order.objects.filter(
            checkout_token__in=[str(checkout.pk) for checkout in checkouts]
        ).values_list("checkout_token", flat=True)
    )
    for checkout in checkouts:
        email = checkout.email or (checkout.user.email if checkout.user else "")
        read = Checkout(
            token=str(checkout.pk),
            channel=checkout.channel.slug,
            email=email or "",
            user_id=str(checkout.user_id or ""),
            lines=tuple(_line(line) for line in checkout.lines.all()),
            total=checkout.total_gross_amount,
            currency=checkout.currency,
            last_change=checkout.last_change,
            ordered=str(checkout.pk) in ordered,
        )
        for token in ids[checkout.pk]:
            found[token] = read
    return found


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
