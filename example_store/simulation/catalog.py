"""What the store sells, in which currencies, and where its visitors come from."""

import random
from dataclasses import dataclass
from decimal import Decimal

from saleor_journey_plugin.core.events import Source

CURRENCIES = {"web-usd": "USD", "web-krw": "KRW"}
# Most of the store's customers shop in dollars; a Korean storefront opened later.
CHANNEL_WEIGHTS = {"web-usd": 0.8, "web-krw": 0.2}

# (slug, USD price, KRW price)
Product = tuple[str, Decimal, int]
PRODUCTS: tuple[Product, ...] = (
    ("linen-shirt", Decimal("59.00"), 69000),
    ("organic-cotton-tee", Decimal("24.00"), 29000),
    ("merino-sweater", Decimal("98.00"), 119000),
    ("waterproof-jacket", Decimal("149.00"), 189000),
    ("relaxed-chinos", Decimal("72.00"), 85000),
    ("canvas-tote", Decimal("18.00"), 22000),
    ("wool-socks-3-pack", Decimal("21.00"), 25000),
    ("denim-jacket", Decimal("118.00"), 139000),
    ("silk-scarf", Decimal("45.00"), 52000),
    ("leather-belt", Decimal("39.00"), 46000),
)


def order_total(items: list[Product], currency: str) -> str:
    """The basket's price with shipping, free above a threshold."""
    if currency == "KRW":
        subtotal = sum(krw for _, _, krw in items)
        return str(subtotal + (3000 if subtotal < 50000 else 0))
    usd = sum((price for _, price, _ in items), Decimal(0))
    return str(usd + (Decimal("6.95") if usd < 75 else Decimal(0)))


@dataclass(frozen=True)
class Traffic:
    """Where a session comes from, with its share of the channel's visits."""

    weight: float
    utm_source: str = ""
    utm_medium: str = ""
    utm_campaign: str = ""
    referrer: str = ""
    search_terms: tuple[str, ...] = ()
    subscribers_only: bool = False

    def source(self, rng: random.Random) -> Source:
        term = ""
        if self.search_terms and rng.random() < 0.85:
            term = rng.choice(self.search_terms)
        return Source(
            utm_source=self.utm_source,
            utm_medium=self.utm_medium,
            utm_campaign=self.utm_campaign,
            referrer=self.referrer,
            search_term=term,
        )


_EN_TERMS = (
    "linen shirt men",
    "organic cotton t-shirt",
    "merino wool sweater",
    "waterproof jacket lightweight",
    "sustainable clothing brand",
    "canvas tote bag",
)
_KO_TERMS = (
    "린넨 셔츠",
    "유기농 면 티셔츠",
    "메리노 울 스웨터",
    "방수 자켓",
    "캔버스 토트백",
)

TRAFFIC: dict[str, tuple[Traffic, ...]] = {
    "web-usd": (
        Traffic(
            0.30, "google", "cpc", "summer-sale", "https://www.google.com/", _EN_TERMS
        ),
        Traffic(0.12, "google", "organic", "", "https://www.google.com/", _EN_TERMS),
        Traffic(0.20, "instagram", "social", "ugc-reels", "https://l.instagram.com/"),
        Traffic(0.15, "newsletter", "email", "weekly-picks", subscribers_only=True),
        Traffic(
            0.08,
            "thegoodtrade",
            "referral",
            "",
            "https://www.thegoodtrade.com/features/sustainable-clothing-brands/",
        ),
        Traffic(0.15),
    ),
    "web-krw": (
        Traffic(
            0.25, "naver", "cpc", "summer-sale", "https://search.naver.com/", _KO_TERMS
        ),
        Traffic(
            0.12, "google", "cpc", "summer-sale", "https://www.google.co.kr/", _KO_TERMS
        ),
        Traffic(0.25, "instagram", "social", "ugc-reels", "https://l.instagram.com/"),
        Traffic(0.13, "newsletter", "email", "weekly-picks", subscribers_only=True),
        Traffic(0.08, "brunch", "referral", "", "https://brunch.co.kr/@slowwear/42"),
        Traffic(0.17),
    ),
}
# The store's own emails, as their links are tagged.
CART_REMINDER = Traffic(1, "newsletter", "email", "cart-reminder")


def win_back_email(day: str) -> Traffic:
    return Traffic(1, "newsletter", "email", f"win-back-{day}")
