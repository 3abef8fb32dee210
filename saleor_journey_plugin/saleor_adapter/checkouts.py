"""A Saleor checkout as campaign emails read it."""

import uuid
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from saleor.checkout.models import Checkout as SaleorCheckout
from saleor.checkout.models import CheckoutLine as SaleorCheckoutLine
from saleor.order.models import Order

from ..core.host import Checkout, CheckoutLine
from .pictures import pictures_of

# The emails show pictures at 80 px: Saleor's 256 px thumbnail stays sharp on
# a 3x phone screen.


def read_checkouts(tokens: list[str]) -> dict[str, Checkout | None]:
    """The checkouts with these tokens (None: deleted, or not a token): five
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
        .select_related("channel", "user", "billing_address")
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
    pictures = pictures_of(
        line.variant.product_id
        for checkout in checkouts
        for line in checkout.lines.all()
    )
    for checkout in checkouts:
        email = checkout.email or (checkout.user.email if checkout.user else "")
        billing = checkout.billing_address
        read = Checkout(
            token=str(checkout.pk),
            channel=checkout.channel.slug,
            email=email or "",
            user_id=str(checkout.user_id or ""),
            lines=tuple(_line(line, pictures) for line in checkout.lines.all()),
            total=checkout.total_gross_amount,
            currency=checkout.currency,
            last_change=checkout.last_change,
            ordered=str(checkout.pk) in ordered,
            first_name=billing.first_name if billing else "",
        )
        for token in ids[checkout.pk]:
            found[token] = read
    return found


def _line(line: Any, pictures: dict[int, str]) -> CheckoutLine:
    variant = line.variant
    name = variant.product.name
    quantity = line.quantity
    # Prices are recalculated lazily; the undiscounted unit price is there
    # even when the line's total was never computed.
    total = line.total_price_gross_amount or Decimal(0)
    if total and quantity:
        price = total / quantity
    else:
        price = line.undiscounted_unit_price_amount
    return CheckoutLine(
        name=name,
        quantity=quantity,
        price=Decimal(price),
        variant_name=variant.name if variant.name != name else "",
        image_url=pictures.get(variant.product_id, ""),
    )
