"""Webhook bodies as Saleor 3.23 sends them for the app's subscriptions."""

from typing import Any

from .conftest import gid

ISSUED = "2026-03-01T09:00:00.123456+00:00"
CHANNEL = "default-channel"
ORDER_UUID = "6f1c7a52-93c0-4a0e-9a52-6a3f2e1c9b10"
CHECKOUT_TOKEN = "0c7e8d7c-8c33-4c7e-9f0e-2f1d3b2a1c00"


def event(typename: str, **fields: Any) -> dict:
    """The body: the subscription's ``event`` itself, not wrapped in ``event``."""
    return {"__typename": typename, "issuedAt": ISSUED, **fields}


def checkout(**overrides: Any) -> dict:
    return {
        "token": CHECKOUT_TOKEN,
        "email": "kim@example.com",
        "quantity": 2,
        "user": {"id": gid("User", 42)},
        "channel": {"slug": CHANNEL},
        "shippingAddress": None,
        "delivery": None,
        **overrides,
    }


def order(**overrides: Any) -> dict:
    return {
        "id": gid("Order", ORDER_UUID),
        "status": "UNFULFILLED",
        "origin": "CHECKOUT",
        "created": "2026-03-01T08:59:00+00:00",
        "userEmail": "kim@example.com",
        "user": {"id": gid("User", 42)},
        "channel": {"slug": CHANNEL},
        "checkoutId": gid("Checkout", CHECKOUT_TOKEN),
        "voucherCode": None,
        "total": {
            "gross": {"amount": 50.0, "currency": "USD"},
            "net": {"amount": 40.65},
        },
        "totalRefunded": {"amount": 0.0},
        "discounts": [],
        "lines": [{"discounts": []}],
        **overrides,
    }


def user(**overrides: Any) -> dict:
    return {
        "id": gid("User", 42),
        "email": "kim@example.com",
        "isConfirmed": True,
        "dateJoined": "2026-02-01T10:00:00+00:00",
        "updatedAt": "2026-03-01T08:00:00.250000+00:00",
        **overrides,
    }
