from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from saleor_journey_plugin.loyalty.models import LedgerEntry, LoyaltyAccount
from saleor_journey_plugin.loyalty.settings import LoyaltySettings
from saleor_journey_plugin.models import Customer

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
CHANNEL = "web-usd"
# The defaults, switched on, with a smaller minimum so tests redeem less.
ON = LoyaltySettings(enabled=True, min_redeem_points=100)


def with_(**changes) -> LoyaltySettings:
    return replace(ON, **changes)


def money(value: str) -> Decimal:
    return Decimal(value)


def account(customer: Customer, channel: str = CHANNEL) -> LoyaltyAccount:
    return LoyaltyAccount.objects.get(customer=customer, channel=channel)


def entries(customer: Customer | None = None) -> list[tuple[str, int, int, int]]:
    """(kind, points, remaining, shortfall) of the ledger, oldest first."""
    found = LedgerEntry.objects.order_by("occurred_at", "id")
    if customer is not None:
        found = found.filter(customer=customer)
    return [(e.kind, e.points, e.remaining, e.shortfall) for e in found]


def credits_left(customer: Customer) -> int:
    """The unspent points of the customer's credits: always the balance."""
    return sum(e.remaining for e in LedgerEntry.objects.filter(customer=customer))


@pytest.fixture
def ann(db):
    return Customer.objects.create(user_id="1", email="ann@example.com")


@pytest.fixture
def bob(db):
    return Customer.objects.create(email="bob@example.com")


def loyalty_on(settings, channel=CHANNEL, **fields):
    """Switch loyalty on in a channel of the example store (dashboard names),
    with a minimum redemption of 100 points."""
    channels = dict(settings.JOURNEY_CHANNELS)
    channels[channel] = {
        **channels[channel],
        "loyalty": {"loyalty_enabled": "true", "min_redeem_points": "100", **fields},
    }
    settings.JOURNEY_CHANNELS = channels


@pytest.fixture
def enabled(settings):
    loyalty_on(settings)
    return settings
