"""A Saleor checkout as campaign emails read it."""

import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from saleor.checkout.models import Checkout as SaleorCheckout
from saleor.checkout.models import CheckoutLine as SaleorCheckoutLine
from saleor.core.utils import build_absolute_uri
from saleor.order.models import Order
from saleor.product.models import ProductMedia
from saleor.thumbnail.models import Thumbnail
from saleor.thumbnail.utils import get_image_or_proxy_url, get_thumbnail_size

from ..core.host import Checkout, CheckoutLine

# The emails show pictures at 80 px: Saleor's 256 px thumbnail stays sharp on
# a 3x phone screen.
PICTURE_SIZE = get_thumbnail_size(256)


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
    pictures = _pictures(
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


def _pictures(product_ids: Iterable[int]) -> dict[int, str]:
    """Product id -> the absolute URL of its first medium's thumbnail, as
    Saleor's GraphQL ``Product.thumbnail(size:)`` gives it: the stored
    thumbnail's file, else Saleor's thumbnail view, which makes it (a video's
    own preview picture for a video)."""
    first = list(
        ProductMedia.objects.filter(product_id__in=set(product_ids))
        .order_by("product_id", "sort_order", "pk")
        .distinct("product_id")
    )
    stored = {
        thumbnail.product_media_id: thumbnail
        for thumbnail in Thumbnail.objects.filter(
            product_media_id__in=[media.pk for media in first],
            size=PICTURE_SIZE,
            format__isnull=True,
        )
    }
    pictures = {}
    for media in first:
        preview = (media.oembed_data or {}).get("thumbnail_url")
        url = preview or get_image_or_proxy_url(
            stored.get(media.pk), media.pk, "ProductMedia", PICTURE_SIZE, None
        )
        pictures[media.product_id] = build_absolute_uri(url)
    return pictures


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
