"""Loyalty points for an order paid in Saleor, refunds in part or in full taking
them back, the tier in Saleor's metadata, a verified review's reward, and
points redeemed as a code Saleor takes once."""

import base64
import json
from datetime import timedelta
from decimal import ROUND_FLOOR, Decimal

import graphene
import pytest
from django.utils import timezone
from saleor.discount.models import VoucherCode
from saleor.graphql.tests.utils import get_graphql_content
from test_saleor_backfill import ORDER_REFUND, _backfill, _order_id, _totals
from test_saleor_coupons import _pay_in_full, add_promo_code
from test_saleor_reviews import SECRET, send

from saleor_journey_plugin.core.processing import drain
from saleor_journey_plugin.core.recording import stored_key
from saleor_journey_plugin.loyalty.models import LedgerEntry, LoyaltyAccount
from saleor_journey_plugin.models import Journey, JourneyEvent
from saleor_journey_plugin.reviews.models import Review
from saleor_journey_plugin.saleor_adapter.host import SaleorHost

# Three units at 10.00 and 10.00 shipping, untaxed: 40 points (one a whole
# unit of net). A refund of 13.30 takes back floor(40 x 13.30 / 40) = 13.
QUANTITY = 3
GROSS = NET = Decimal("40.000")
POINTS = 40
PARTIAL = "13.30"
FIRST_BACK = 13
# order_with_lines, charged through a transaction: 98.40 with tax, 80.00 net,
# 80 points; a refund of 12.34 takes back floor(80 x 12.34 / 98.40) = 10.
T_GROSS = Decimal("98.400")
T_NET = Decimal("80.000")
T_POINTS = 80
T_FIRST_BACK = 10


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


def refunds():
    """(stored key, refunded so far, partial) of the refund events, oldest first."""
    return list(
        JourneyEvent.objects.filter(type="ORDER_REFUNDED")
        .order_by("id")
        .values_list("idempotency_key", "payload__refunded", "payload__partial")
    )


def reversals():
    return list(
        LedgerEntry.objects.filter(kind="reverse_refund")
        .order_by("id")
        .values_list("points", "amount")
    )


def test_partial_refunds_in_saleor_take_back_their_share_of_the_points(
    journey_config,
    channel_USD,
    customer_user,
    user_api_client,
    staff_api_client,
    staff_user,
    permission_group_manage_orders,
    ready_checkout,
    complete_checkout,
    django_capture_on_commit_callbacks,
):
    # given loyalty on, and a paid order that earned a point a whole unit
    permission_group_manage_orders.user_set.add(staff_user)
    capture = django_capture_on_commit_callbacks
    journey_config(channel_USD, loyalty_enabled=True)
    with capture(execute=True):
        _, order = complete_checkout(
            user_api_client, ready_checkout(user=customer_user, quantity=QUANTITY)
        )
    earned = LedgerEntry.objects.get(kind="earn_order")

    def refund(amount):
        with capture(execute=True):
            response = staff_api_client.post_graphql(
                ORDER_REFUND, {"id": _order_id(order), "amount": amount}
            )
        assert get_graphql_content(response)["data"]["orderRefund"]["errors"] == []

    # when a part of the order is refunded through Saleor's orderRefund
    refund(PARTIAL)

    # then the refund event says how much was refunded so far, and the ledger
    # takes back that share of the points, rounded down
    assert (order.total_gross_amount, order.total_net_amount) == (GROSS, NET)
    assert earned.points == POINTS
    assert refunds() == [
        (stored_key(f"order:{order.pk}:refunded:{PARTIAL}"), PARTIAL, True)
    ]
    assert reversals() == [(-FIRST_BACK, Decimal(PARTIAL))]

    # and the backfill finds that refund already there, under the same key:
    # new is only the account as it is now, which no live hook reported
    assert _totals(_backfill())[0] == 1
    assert JourneyEvent.objects.filter(type="ACCOUNT_UPDATED").count() == 1

    # when the rest is refunded
    refund("26.70")

    # then the order's full refund takes back the rest of what it earned
    assert refunds()[1:] == [(stored_key(f"order:{order.pk}:refunded"), "40.00", None)]
    assert reversals()[1:] == [(-(POINTS - FIRST_BACK), Decimal("40.00"))]
    assert LoyaltyAccount.objects.get().balance == 0


TRANSACTION_EVENT_REPORT = """
mutation Report($id: ID, $type: TransactionEventTypeEnum!, $amount: PositiveDecimal!,
                $psp: String!) {
  transactionEventReport(id: $id, type: $type, amount: $amount, pspReference: $psp) {
    errors { field code message }
  }
}
"""


def test_refunds_a_payment_app_reports_on_a_transaction_take_back_points(
    journey_config,
    channel_USD,
    order_with_lines,
    transaction_item_generator,
    app_api_client,
    permission_manage_payments,
):
    # given loyalty on, and an order the payment app reports charged in full
    journey_config(channel_USD, loyalty_enabled=True)
    order = order_with_lines
    item = transaction_item_generator(app=app_api_client.app, order_id=order.pk)
    reported = iter(range(1, 10))
    app_api_client.app.permissions.add(permission_manage_payments)

    def report(kind, amount):
        # The client runs what the request left for on-commit: Saleor's hooks.
        response = app_api_client.post_graphql(
            TRANSACTION_EVENT_REPORT,
            {
                "id": graphene.Node.to_global_id("TransactionItem", item.token),
                "type": kind,
                "amount": amount,
                "psp": f"psp-{next(reported)}",
            },
        )
        data = get_graphql_content(response)["data"]["transactionEventReport"]
        assert data["errors"] == []

    report("CHARGE_SUCCESS", str(order.total_gross_amount))
    earned = LedgerEntry.objects.get(kind="earn_order")

    # when the app reports a partial refund, then the rest
    report("REFUND_SUCCESS", "12.34")
    first = (refunds(), reversals())
    report("REFUND_SUCCESS", str(order.total_gross_amount - Decimal("12.34")))

    # then the first is a partial refund of its share, the second the full one
    assert (order.total_gross_amount, order.total_net_amount, earned.points) == (
        T_GROSS,
        T_NET,
        T_POINTS,
    )
    assert first == (
        [(stored_key(f"order:{order.pk}:refunded:12.34"), "12.34", True)],
        [(-T_FIRST_BACK, Decimal("12.34"))],
    )
    assert refunds()[1:] == [(stored_key(f"order:{order.pk}:refunded"), "98.40", None)]
    assert reversals()[1:] == [(-(T_POINTS - T_FIRST_BACK), T_GROSS)]
    assert LoyaltyAccount.objects.get().balance == 0


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
    permission_manage_discounts,
    journey_api,
    access_token,
):
    # given loyalty on, points earned by a paid order, and a staff member
    # with MANAGE_USERS and MANAGE_DISCOUNTS (adding points needs both)
    journey_config(channel_USD, loyalty_enabled=True)
    complete_checkout(user_api_client, ready_checkout(user=customer_user))
    earned = LoyaltyAccount.objects.get().balance
    staff_user.user_permissions.add(
        permission_manage_users, permission_manage_discounts
    )
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


REDEEM = """
mutation ($points: Int!) {
  redeemLoyaltyPoints(points: $points) {
    code value { amount currency } balance errors { field code }
  }
}
"""
LOYALTY_REPORT = """
query ($from: Date!, $to: Date!) {
  journeyReport(from: $from, to: $to) {
    kpis { reviews csat }
    loyalty {
      issued redeemed outstanding outstandingValue { amount currency }
      members tiers { name members }
    }
  }
}
"""


def test_a_verified_review_earns_and_redeemed_points_are_a_code_saleor_takes_once(
    journey_config,
    channel_USD,
    customer_user,
    user_api_client,
    staff_user,
    permission_manage_orders,
    ready_checkout,
    complete_checkout,
    journey_api,
    access_token,
):
    # given: loyalty on at 10 points per dollar, 50 points a verified review,
    # redemptions from 100 points at a cent each; the customer paid an order
    # of 20.00 net through checkoutComplete (200 points)
    journey_config(
        channel_USD,
        loyalty_enabled=True,
        points_per_unit="10",
        min_redeem_points="100",
        review_webhook_secrets=SECRET,
    )
    _, order = complete_checkout(user_api_client, ready_checkout(user=customer_user))
    assert order.total_net_amount == Decimal("20.000")
    product = graphene.Node.to_global_id(
        "Product", order.lines.get().variant.product_id
    )

    # when: the review service sends a signed 5-star review of that product and
    # someone sends a forged one; the customer redeems 100 points and uses the
    # code at a second checkout, then tries it on a third
    review = {"review_id": "rv-1", "rating": 5, "email": customer_user.email}
    accepted = send(channel_USD, {**review, "product": product})
    forged = send(
        channel_USD,
        {**review, "review_id": "rv-2", "rating": 1, "product": product},
        webhook_id="msg_2",
        secret="whsec_bm90LXRoZS1zdG9yZS1zZWNyZXQtMDEyMzQ1Njc4OQ==",
    )
    drain()
    token = access_token(customer_user)
    redeemed = journey_api(
        channel_USD.slug, REDEEM, {"points": 100}, token=token
    ).json()["data"]["redeemLoyaltyPoints"]
    code = redeemed["code"]
    second = ready_checkout(user=customer_user)
    added = add_promo_code(user_api_client, second, code)
    _pay_in_full(second)
    _, discounted = complete_checkout(user_api_client, second)
    third = ready_checkout(user=customer_user)
    refused = add_promo_code(user_api_client, third, code)
    staff_user.user_permissions.add(permission_manage_orders)
    today = timezone.now().date()
    report = journey_api(
        channel_USD.slug,
        LOYALTY_REPORT,
        {"from": str(today), "to": str(today + timedelta(days=1))},
        token=access_token(staff_user),
    ).json()["data"]["journeyReport"]

    # then: the review is verified, moves the customer to LOYALTY and earns
    # 50 points; the forged one is refused and stores nothing
    assert accepted == (
        200,
        {"status": "created", "review_id": "rv-1", "version": 1, "verified": True},
    )
    assert forged[0] == 401
    assert list(Review.objects.values_list("review_id", "verified")) == [("rv-1", True)]
    assert JourneyEvent.objects.filter(type="REVIEW_SUBMITTED").count() == 1
    journey = Journey.objects.get(
        customer__user_id=str(customer_user.pk), channel=channel_USD.slug
    )
    assert journey.stage == "LOYALTY"
    # 100 points became a one-dollar code that Saleor took off the second
    # order once and refuses after
    assert redeemed == {
        "code": code,
        "value": {"amount": 1.0, "currency": "USD"},
        "balance": 150,
        "errors": [],
    }
    assert added["errors"] == []
    assert discounted.discounts.get().amount_value == Decimal("1.000")
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [
        ("promoCode", "INVALID")
    ]
    # the second order (19.00 net) earned 190 more
    assert list(LedgerEntry.objects.order_by("id").values_list("kind", "points")) == [
        ("earn_order", 200),
        ("earn_review", 50),
        ("redeem", -100),
        ("earn_order", 190),
    ]
    # and journeyReport shows the CSAT and the loyalty figures of the day
    assert report == {
        "kpis": {"reviews": 1, "csat": "1"},
        "loyalty": {
            "issued": 440,
            "redeemed": 100,
            "outstanding": 340,
            "outstandingValue": {"amount": "3.40", "currency": "USD"},
            "members": 1,
            "tiers": [
                {"name": "Bronze", "members": 1},
                {"name": "Silver", "members": 0},
                {"name": "Gold", "members": 0},
            ],
        },
    }


def _global_id(kind, key):
    """A global ID as Saleor's API would decode it, whatever ``key`` looks like."""
    return base64.b64encode(f"{kind}:{key}".encode()).decode()


def test_one_paid_order_earns_one_review_reward_per_product_whatever_its_alias(
    journey_config,
    channel_USD,
    customer_user,
    user_api_client,
    ready_checkout,
    complete_checkout,
    product_with_single_variant,
):
    # given: loyalty on (1 point per unit, 50 per verified review); the
    # customer paid one 20.00 order through checkoutComplete (20 points)
    journey_config(channel_USD, loyalty_enabled=True, review_webhook_secrets=SECRET)
    _, order = complete_checkout(user_api_client, ready_checkout(user=customer_user))
    variant = order.lines.get().variant
    bought = variant.product_id
    other = product_with_single_variant
    order_id = graphene.Node.to_global_id("Order", order.pk)

    # when: 5-star reviews of a product not in the order (naming the order, or
    # not), then of the bought product by its ID, a zero-padded alias of it,
    # its variant's ID and SKU, and with the order's ID, number and UUID
    reviews = {
        "other product, order named": {
            "product": graphene.Node.to_global_id("Product", other.pk),
            "order": order_id,
        },
        "other variant's SKU": {"product": other.variants.get().sku},
        "unknown product, order named": {
            "product": _global_id("Product", 10**30),
            "order": order.number,
        },
        "malformed ID": {"product": _global_id("Product", "x"), "order": order_id},
        "order alone": {"order": order_id},
        "product ID": {"product": graphene.Node.to_global_id("Product", bought)},
        "zero-padded product ID": {
            "product": _global_id("Product", f"00{bought}"),
            "order": order_id,
        },
        "variant ID": {
            "product": graphene.Node.to_global_id("ProductVariant", variant.pk),
            "order": str(order.pk),
        },
        "SKU": {"product": variant.sku, "order": order.number},
    }
    answers = {
        name: send(
            channel_USD,
            {
                "review_id": f"rv-{number}",
                "rating": 5,
                "email": customer_user.email,
                **fields,
            },
            webhook_id=f"msg_{number}",
        )
        for number, (name, fields) in enumerate(reviews.items())
    }
    drain()

    # then: one reward, for the bought product (keyed on its global ID), and
    # an exact balance of 20 + 50
    balance = LoyaltyAccount.objects.get(channel=channel_USD.slug).balance
    assert balance == 70
    assert list(
        LedgerEntry.objects.order_by("id").values_list("kind", "points", "product")
    ) == [
        ("earn_order", 20, ""),
        ("earn_review", 50, graphene.Node.to_global_id("Product", bought)),
    ]
    # only the reviews of the bought product are verified purchases
    assert {name: answer for name, (_, answer) in answers.items()} == {
        name: {
            "status": "created",
            "review_id": f"rv-{number}",
            "version": 1,
            "verified": number >= 5,
        }
        for number, name in enumerate(reviews)
    }


TRACK = """
mutation ($input: JourneyTrackInput!) { trackJourneyEvent(input: $input) { recorded } }
"""


def adjustments():
    return list(
        LedgerEntry.objects.filter(kind="adjust").values_list(
            "customer__user_id", "points"
        )
    )


def test_adding_points_needs_manage_discounts_and_never_to_oneself_in_saleor(
    journey_config,
    channel_USD,
    customer_user,
    user_api_client,
    ready_checkout,
    complete_checkout,
    staff_user,
    permission_manage_users,
    permission_manage_discounts,
    journey_api,
    access_token,
):
    # given loyalty on, a customer with points, and a staff member with
    # MANAGE_USERS only, whose own signed-in visit the journey recorded
    journey_config(channel_USD, loyalty_enabled=True)
    complete_checkout(user_api_client, ready_checkout(user=customer_user))
    staff_user.user_permissions.add(permission_manage_users)
    visit = {"eventType": "VISIT", "eventId": "visit-1"}
    tracked = journey_api(
        channel_USD.slug, TRACK, {"input": visit}, token=access_token(staff_user)
    )
    assert tracked.json() == {"data": {"trackJourneyEvent": {"recorded": True}}}
    drain()
    customer = graphene.Node.to_global_id("User", customer_user.pk)
    herself = graphene.Node.to_global_id("User", staff_user.pk)

    def credit(user_id):
        return journey_api(
            channel_USD.slug,
            ADJUST,
            {"userId": user_id, "points": 1_000_000, "reason": "bonus"},
            token=access_token(staff_user),
        ).json()

    # when she credits the customer with MANAGE_USERS only
    without = credit(customer)

    # then: a permission error, and no ledger row
    assert without["data"] == {"adjustLoyaltyPoints": None}
    assert [e["extensions"]["exception"]["code"] for e in without["errors"]] == [
        "PermissionDenied"
    ]
    assert adjustments() == []

    # when, given MANAGE_DISCOUNTS too, she credits herself, then the customer
    staff_user.user_permissions.add(permission_manage_discounts)
    own = credit(herself)
    theirs = credit(customer)

    # then: her own account is refused, the customer's credit is written
    assert own["data"]["adjustLoyaltyPoints"]["errors"] == [
        {
            "field": "userId",
            "code": "OWN_ACCOUNT",
            "message": "Staff cannot add points to their own account.",
        }
    ]
    assert theirs["data"]["adjustLoyaltyPoints"]["errors"] == []
    assert adjustments() == [(str(customer_user.pk), 1_000_000)]


def test_a_full_refund_of_redeemed_points_withdraws_the_unused_saleor_code(
    journey_config,
    channel_USD,
    customer_user,
    user_api_client,
    staff_api_client,
    staff_user,
    permission_group_manage_orders,
    ready_checkout,
    complete_checkout,
    journey_api,
    access_token,
    django_capture_on_commit_callbacks,
):
    # given: 25 points a unit, so the order of 40.00 net earns 1,000 points,
    # all of them redeemed as a 10.00 code
    permission_group_manage_orders.user_set.add(staff_user)
    capture = django_capture_on_commit_callbacks
    journey_config(channel_USD, loyalty_enabled=True, points_per_unit="25")
    with capture(execute=True):
        _, order = complete_checkout(
            user_api_client, ready_checkout(user=customer_user, quantity=QUANTITY)
        )
    drain()
    redeemed = journey_api(
        channel_USD.slug, REDEEM, {"points": 1000}, token=access_token(customer_user)
    ).json()["data"]["redeemLoyaltyPoints"]
    code = redeemed["code"]

    # when the order is refunded in full through Saleor's orderRefund
    with capture(execute=True):
        response = staff_api_client.post_graphql(
            ORDER_REFUND, {"id": _order_id(order), "amount": str(GROSS)}
        )
    assert get_graphql_content(response)["data"]["orderRefund"]["errors"] == []
    drain()
    refused = add_promo_code(user_api_client, ready_checkout(user=customer_user), code)

    # then: the unused code is withdrawn, and Saleor refuses it
    assert redeemed == {
        "code": code,
        "value": {"amount": 10.0, "currency": "USD"},
        "balance": 0,
        "errors": [],
    }
    assert VoucherCode.objects.get(code=code).is_active is False
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [
        ("promoCode", "INVALID")
    ]
    # and the code's points came back to go with the refund: balance 0
    redemption = LedgerEntry.objects.get(kind="redeem")
    assert list(
        LedgerEntry.objects.order_by("id").values_list(
            "kind", "points", "remaining", "shortfall", "idempotency_key"
        )
    ) == [
        ("earn_order", 1000, 0, 0, f"earn_order:{channel_USD.slug}:{order.pk}"),
        ("redeem", -1000, 0, 0, redemption.idempotency_key),
        ("withdraw", 1000, 0, 0, f"withdraw:{redemption.pk}"),
        (
            "reverse_refund",
            -1000,
            0,
            0,
            f"reverse_refund:{channel_USD.slug}:{order.pk}:40.00",
        ),
    ]
    assert LoyaltyAccount.objects.get().balance == 0
