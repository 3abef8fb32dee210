"""The variables a campaign email's templates see, from what the store knows.

Everything here is data; the templates (Handlebars) escape it when they
print it, so a shopper's name or address can carry no markup into the HTML.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from ...core.host import Checkout, CheckoutLine
from ...core.presets import Language
from ..steps import Coupon
from .money import day, money

# Lines shown; the rest are counted (``more_lines``). A cart of hundreds of
# lines would pass the 102 KB at which Gmail clips an email, unsubscribe
# link and all.
MAX_LINES = 20


@dataclass(frozen=True)
class Facts:
    """What one email tells its reader."""

    language: Language
    store_name: str
    # The recipient's own first name (their account's, or the checkout's
    # billing name); empty: a neutral greeting, never one made from the address.
    first_name: str
    link: str
    unsubscribe_url: str
    checkout: Checkout | None = None
    # The channel's currency, for a coupon's fixed amount without a checkout.
    currency: str = ""
    coupon: Coupon | None = None
    coupon_code: str = ""
    coupon_expires_at: datetime | None = None
    logo_url: str = ""
    # The shop's postal address, one line per item (CAN-SPAM asks for it).
    postal_address: tuple[str, ...] = ()


def context(facts: Facts) -> dict[str, Any]:
    checkout = facts.checkout
    currency = (checkout.currency if checkout else "") or facts.currency
    language = facts.language

    def price(amount: Decimal) -> str:
        return money(amount, currency, language)

    def line(item: CheckoutLine) -> dict[str, Any]:
        total = price(item.price * item.quantity)
        return {
            "name": item.name,
            "variant_name": item.variant_name,
            "image_url": item.image_url,
            "quantity": item.quantity,
            "price": price(item.price),
            "line_total": total,
            # The name templates written before line_total use.
            "subtotal": total,
        }

    coupon = facts.coupon
    items = checkout.lines if checkout else ()
    return {
        "store_name": facts.store_name,
        "customer_name": facts.first_name.strip(),
        "lines": [line(item) for item in items[:MAX_LINES]],
        "more_lines": max(len(items) - MAX_LINES, 0),
        "total": price(checkout.total) if checkout else "",
        "currency": currency,
        "link": facts.link,
        "coupon_code": facts.coupon_code,
        "coupon_discount": (
            ""
            if coupon is None
            else f"{coupon.value.normalize():f}%"
            if coupon.percentage
            else price(coupon.value)
        ),
        "coupon_expiry": day(
            facts.coupon_expires_at.date() if facts.coupon_expires_at else None,
            language,
        ),
        "unsubscribe_url": facts.unsubscribe_url,
        "logo_url": facts.logo_url,
        "postal_address": ", ".join(part for part in facts.postal_address if part),
    }
