"""Loyalty points for an order paid in Saleor, and the tier in Saleor's metadata."""

import json
from decimal import ROUND_FLOOR, Decimal

import graphene
import pytest

from saleor_journey_plugin.loyalty.models import LedgerEntry, LoyaltyAccount
from saleor_journey_plugin.models import JourneyEvent
from saleor_journey_plugin.saleor_adapter.host import SaleorHost


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


STAFF_LOYALTY = """
query ($userId: String) {
  customerLoyalty(userId: $userId) {
    balance
    history(first: 5) { edges { node { kind points reason staffUserId } } }
  }
  customerDataExport(userId: $userId)
}
"""
ADJUST = """
mutation ($userId: String, $points: Int!, $reason: String!) {
  adjustLoyaltyPoints(userId: $userId, points: $points, reason: $reason) {
    entry { kind points staffUserId staffEmail }
    balance
    errors { field code message }
  }
}
"""


def test_staff_adjust_and_read_a_customers_points_by_saleor_user_id(
    journey_config,
    channel_USD,
    customer_user,
    user_api_client,
    ready_checkout,
    complete_checkout,
    staff_user,
    permission_manage_users,
    journey_api,
    access_token,
):
    # given loyalty on, points earned by a paid order, and a staff member
    # with MANAGE_USERS
    journey_config(channel_USD, loyalty_enabled=True)
    complete_checkout(user_api_client, ready_checkout(user=customer_user))
    earned = LoyaltyAccount.objects.get().balance
    staff_user.user_permissions.add(permission_manage_users)
    token = access_token(staff_user)
    global_id = graphene.Node.to_global_id("User", customer_user.pk)

    # when staff credit 25 points naming the customer by the dashboard's ID,
    # then read the customer's loyalty by that ID and by the plain pk
    adjusted = journey_api(
        channel_USD.slug,
        ADJUST,
        {"userId": global_id, "points": 25, "reason": "late parcel"},
        token=token,
    )
    by_global_id = journey_api(
        channel_USD.slug, STAFF_LOYALTY, {"userId": global_id}, token=token
    )
    by_pk = journey_api(
        channel_USD.slug, STAFF_LOYALTY, {"userId": str(customer_user.pk)}, token=token
    )

    # then the entry names the staff member, and both lookups find the customer
    assert adjusted.json() == {
        "data": {
            "adjustLoyaltyPoints": {
                "entry": {
                    "kind": "ADJUST",
                    "points": 25,
                    "staffUserId": str(staff_user.pk),
                    "staffEmail": staff_user.email,
                },
                "balance": earned + 25,
                "errors": [],
            }
        }
    }
    answer = by_global_id.json()["data"]
    assert answer["customerLoyalty"] == {
        "balance": earned + 25,
        "history": {
            "edges": [
                {
                    "node": {
                        "kind": "ADJUST",
                        "points": 25,
                        "reason": "late parcel",
                        "staffUserId": str(staff_user.pk),
                    }
                },
                {
                    "node": {
                        "kind": "EARN_ORDER",
                        "points": earned,
                        "reason": None,
                        "staffUserId": None,
                    }
                },
            ]
        },
    }
    export = json.loads(answer["customerDataExport"])
    assert export["customer"]["user_id"] == str(customer_user.pk)
    assert export["customer"]["email"] == customer_user.email
    assert export["loyalty"]["balance"] == earned + 25
    assert by_pk.json()["data"] == answer


@pytest.mark.parametrize(
    ("given", "user_id"),
    [
        (graphene.Node.to_global_id("User", 42), "42"),
        ("42", "42"),
        (graphene.Node.to_global_id("Order", 42), "T3JkZXI6NDI="),
        (graphene.Node.to_global_id("User", "x1"), "VXNlcjp4MQ=="),
        ("not base64!", "not base64!"),
    ],
)
def test_a_users_global_id_names_the_user_and_nothing_else_does(given, user_id):
    # when
    found = SaleorHost().user_id_of(given)

    # then
    assert found == user_id
