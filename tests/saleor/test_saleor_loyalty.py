"""Loyalty points for an order paid in Saleor, and the tier in Saleor's metadata."""

from decimal import ROUND_FLOOR, Decimal

from saleor_journey_plugin.loyalty.models import LedgerEntry, LoyaltyAccount
from saleor_journey_plugin.models import JourneyEvent


def test_a_paid_order_earns_on_its_net_total_and_tags_the_users_tier(
    journey_config,
    channel_USD,
    customer_user,
    user_api_client,
    ready_checkout,
    complete_checkout,
):
    # given loyalty on in channel_USD, Silver from the first point, and a
    # customer whose metadata another app already uses
    journey_config(
        channel_USD,
        loyalty_enabled=True,
        tiers="Bronze:0:1, Silver:1:1.25",
    )
    customer_user.store_value_in_metadata({"key": "value"})
    customer_user.save(update_fields=["metadata"])

    # when the customer completes a checkout with Saleor's checkoutComplete
    _, order = complete_checkout(user_api_client, ready_checkout(user=customer_user))

    # then the paid order's event carries the net total, and earned on it (Bronze)
    paid = JourneyEvent.objects.get(type="ORDER_PAID")
    assert Decimal(paid.payload["net"]) == order.total_net_amount
    points = int(order.total_net_amount.to_integral_value(rounding=ROUND_FLOOR))
    assert points > 0
    entry = LedgerEntry.objects.get()
    assert (entry.kind, entry.points, entry.order_id) == (
        "earn_order",
        points,
        str(order.pk),
    )
    account = LoyaltyAccount.objects.get()
    assert (account.balance, account.tier) == (points, "Silver")

    # and the Saleor user is tagged with the tier beside the journey stage
    customer_user.refresh_from_db()
    assert customer_user.metadata == {
        "key": "value",
        "journey_stage": "purchase",
        f"journey_stage.{channel_USD.slug}": "purchase",
        "loyalty_tier": "Silver",
        f"loyalty_tier.{channel_USD.slug}": "Silver",
    }


def test_loyalty_off_earns_nothing_in_saleor(
    journey_active, customer_user, user_api_client, ready_checkout, complete_checkout
):
    # when (loyalty_enabled keeps its default, false)
    complete_checkout(user_api_client, ready_checkout(user=customer_user))

    # then
    assert LedgerEntry.objects.count() == 0
    customer_user.refresh_from_db()
    assert "loyalty_tier" not in customer_user.metadata
