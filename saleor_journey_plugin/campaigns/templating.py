"""Handlebars templates (pybars3), as Saleor's own email plugins use them."""

from functools import cache
from typing import Any

import pybars

# The parts a store can override in the dashboard.
PARTS = ("subject", "body")
# What every kind ships per language: those, the hidden preview line (a
# variable of the body) and the plain-text part of the shipped body.
SHIPPED_PARTS = (*PARTS, "preview", "text")

# What a template can use; validation renders every template with it.
SAMPLE_CONTEXT: dict[str, Any] = {
    "store_name": "Example Store",
    "customer_name": "Alex",
    "preview": "We saved your cart: Blue T-shirt",
    "lines": [
        {
            "name": "Blue T-shirt",
            "variant_name": "M",
            "image_url": "https://shop.example.com/thumbnail/UHJvZHVjdE1lZGlhOjE=/256/",
            "quantity": 2,
            "price": "$19.00",
            "line_total": "$38.00",
            "subtotal": "$38.00",
        }
    ],
    "more_lines": 0,
    "total": "$38.00",
    "currency": "USD",
    "link": "https://shop.example.com/checkout/abc",
    "coupon_code": "JRN-ABCD-EFGH",
    "coupon_discount": "10%",
    "coupon_expiry": "January 8, 2026",
    "unsubscribe_url": "https://shop.example.com/unsubscribe/abc",
    "logo_url": "https://shop.example.com/logo.png",
    "postal_address": "Example Store, 1 Main St, Springfield 12345, United States",
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
