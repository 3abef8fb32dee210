"""Products as campaign emails show them (``Host.product_cards``), read over
Saleor's GraphQL as a shopper of the channel sees them.

A storefront tracks a view by the product's global ID, a variant's, or the
product's slug; each is asked as Saleor's own ``product``/``productVariant``
field resolves it. The app holds no product permission, so Saleor shows it
only what is published in the channel; a product without a price there
(no variant on sale) is left out, as the plugin leaves it out.
"""

from decimal import Decimal

from saleor_journey_plugin.core.host import ProductCard
from saleor_journey_plugin.reports.money import parse_amount

from ..tenants.models import Tenant
from ..webhooks.translate import pk_of
from .batch import CHUNK
from .calls import call

_MAX_INT = 2**31 - 1
FRAGMENT = """
fragment JourneyProductCard on Product {
  id
  name
  slug
  pricing { priceRange { start { gross { amount currency } } } }
  thumbnail(size: 256) { url }
}
"""


def product_cards(
    tenant: Tenant, channel: str, product_ids: list[str]
) -> dict[str, ProductCard]:
    asked = [
        (value, field)
        for value in dict.fromkeys(product_ids)
        if (field := _field(value)) is not None
    ]
    cards: dict[str, ProductCard] = {}
    for start in range(0, len(asked), CHUNK):
        chunk = asked[start : start + CHUNK]
        query, variables = _query(chunk)
        data = call(tenant, query, {"channel": channel, **variables})
        for index, (value, _) in enumerate(chunk):
            node = data.get(f"n{index}") or {}
            card = _card(node.get("product") if "product" in node else node)
            if card is not None:
                cards[value] = card
    return cards


def _field(value: str) -> tuple[str, str, str] | None:
    """(field, argument, its type) that looks ``value`` up: a product's or
    variant's ID, else a slug. None when it can name nothing: such an ID
    without an integer key Saleor's int4 keys can hold, which Saleor would
    answer with an error for the whole request."""
    for kind, field in (("ProductVariant", "productVariant"), ("Product", "product")):
        pk = pk_of(value, kind)
        if pk is not None:
            valid = pk.isascii() and pk.isdigit() and 0 < int(pk) <= _MAX_INT
            return (field, "id", "ID!") if valid else None
    return ("product", "slug", "String!") if value.strip() else None


def _query(
    asked: list[tuple[str, tuple[str, str, str]]],
) -> tuple[str, dict[str, str]]:
    params, fields = [], []
    for index, (_, (field, argument, kind)) in enumerate(asked):
        selection = (
            "{ product { ...JourneyProductCard } }"
            if field == "productVariant"
            else "{ ...JourneyProductCard }"
        )
        params.append(f"$n{index}: {kind}")
        fields.append(
            f"n{index}: {field}({argument}: $n{index}, channel: $channel) {selection}"
        )
    query = (
        f"query JourneyProducts($channel: String!, {', '.join(params)}) "
        f"{{ {' '.join(fields)} }}" + FRAGMENT
    )
    return query, {f"n{index}": value for index, (value, _) in enumerate(asked)}


def _card(node: dict | None) -> ProductCard | None:
    if not node:
        return None
    start = ((node.get("pricing") or {}).get("priceRange") or {}).get("start") or {}
    gross = start.get("gross") or {}
    price: Decimal | None = parse_amount(gross.get("amount"))
    if price is None:
        return None
    return ProductCard(
        id=str(node.get("id") or ""),
        name=str(node.get("name") or ""),
        slug=str(node.get("slug") or ""),
        price=price,
        currency=str(gross.get("currency") or ""),
        image_url=str((node.get("thumbnail") or {}).get("url") or ""),
    )
