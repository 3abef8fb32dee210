"""Handlebars templates (pybars3), as Saleor's own email plugins use them."""

from functools import cache
from typing import Any

import pybars

PARTS = ("subject", "body")

# What a template can use; validation renders every template with it.
SAMPLE_CONTEXT: dict[str, Any] = {
    "store_name": "Example Store",
    "customer_name": "Alex",
    "lines": [
        {"name": "Blue T-shirt", "quantity": 2, "price": "19.00", "subtotal": "38.00"}
    ],
    "total": "38.00",
    "currency": "USD",
    "link": "https://shop.example.com/checkout/abc",
    "coupon_code": "JRN-ABCD-EFGH",
    "coupon_discount": "10%",
    "coupon_expiry": "2026-01-08",
    "unsubscribe_url": "https://shop.example.com/unsubscribe/abc",
}


class TemplateError(ValueError):
    """A template that does not compile or does not render."""


@cache
def _compiled(source: str) -> Any:
    try:
        return pybars.Compiler().compile(source)
    except Exception as error:  # pybars raises PybarsError and plain errors alike
        raise TemplateError(f"The template does not compile: {error}") from error


def render(source: str, context: dict[str, Any]) -> str:
    template = _compiled(source)
    try:
        return str(template(context))
    except Exception as error:
        raise TemplateError(f"The template does not render: {error}") from error


def check(source: str) -> None:
    """Raise TemplateError unless ``source`` compiles and renders the sample."""
    render(source, SAMPLE_CONTEXT)
