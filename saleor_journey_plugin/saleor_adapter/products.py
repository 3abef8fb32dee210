"""Saleor products as campaign emails show them: name, picture, price, slug.

A storefront tracks a product view by the product's global ID (base64 of
``Product:<id>``), a variant's, or the product's slug. Only products a shopper
can see in the channel (published, with a priced variant there) are shown.
"""

import binascii
from decimal import Decimal

import graphene
from django.db.models import Min
from saleor.channel.models import Channel
from saleor.product.models import (
    Product,
    ProductChannelListing,
    ProductVariant,
    ProductVariantChannelListing,
)

from ..core.host import ProductCard
from .pictures import pictures_of

# The emails show pictures at 80 px: Saleor's 256 px thumbnail stays sharp on
# a 3x phone screen.
# Saleor's integer keys are int4.
_MAX_INT = 2**31 - 1


def product_cards(channel_slug: str, product_ids: list[str]) -> dict[str, ProductCard]:
    channel = Channel.objects.filter(slug=channel_slug).first()
    if channel is None or not product_ids:
        return {}
    named = _resolve(product_ids)
    products = {
        product.pk: product
        for product in Product.objects.published_with_variants(channel).filter(
            pk__in=set(named.values())
        )
    }
    prices = _prices(channel, products)
    pictures = pictures_of(products)
    cards = {
        pk: ProductCard(
            id=graphene.Node.to_global_id("Product", pk),
            name=product.name,
            slug=product.slug,
            price=prices.get(pk),
            currency=channel.currency_code,
            image_url=pictures.get(pk, ""),
        )
        for pk, product in products.items()
    }
    return {asked: cards[pk] for asked, pk in named.items() if pk in cards}


def _resolve(product_ids: list[str]) -> dict[str, int]:
    """Each id's product pk (ids naming nothing left out): global IDs of
    products and variants, else slugs."""
    found: dict[str, int] = {}
    variants: dict[int, list[str]] = {}
    slugs: dict[str, list[str]] = {}
    for value in product_ids:
        kind, pk = _global_id(value)
        if kind == "Product":
            found[value] = pk
        elif kind == "ProductVariant":
            variants.setdefault(pk, []).append(value)
        elif not kind:
            slugs.setdefault(value, []).append(value)
    for variant_pk, product_pk in ProductVariant.objects.filter(
        pk__in=list(variants)
    ).values_list("pk", "product_id"):
        for value in variants[variant_pk]:
            found[value] = product_pk
    for slug, product_pk in Product.objects.filter(slug__in=list(slugs)).values_list(
        "slug", "pk"
    ):
        for value in slugs[slug]:
            found[value] = product_pk
    return found


def _global_id(value: str) -> tuple[str, int]:
    """(type, pk) of a product's or variant's global ID; ("", 0) for anything
    else; ("?", 0) for an ID of those types naming no valid key."""
    try:
        kind, key = graphene.Node.from_global_id(value)
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError):
        return "", 0
    if kind not in ("Product", "ProductVariant"):
        return "", 0
    if not (key.isascii() and key.isdigit()) or not 0 < int(key) <= _MAX_INT:
        return "?", 0
    return kind, int(key)


def _prices(channel: Channel, products: dict[int, Product]) -> dict[int, Decimal]:
    """Each product's lowest price in the channel: Saleor's discounted price
    of its listing, else its cheapest variant's."""
    prices = {
        pk: amount
        for pk, amount in ProductChannelListing.objects.filter(
            channel=channel,
            product_id__in=list(products),
            discounted_price_amount__isnull=False,
        ).values_list("product_id", "discounted_price_amount")
    }
    missing = [pk for pk in products if pk not in prices]
    if missing:
        prices.update(
            ProductVariantChannelListing.objects.filter(
                channel=channel,
                variant__product_id__in=missing,
                price_amount__isnull=False,
            )
            .values("variant__product_id")
            .annotate(lowest=Min("price_amount"))
            .values_list("variant__product_id", "lowest")
        )
    return prices
