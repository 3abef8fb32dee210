"""Single-use Saleor voucher codes for campaign coupons, used in a real checkout,
and the order that used one credited to its reminder."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import graphene
from django.utils import timezone
from freezegun import freeze_time
from saleor.checkout import calculations
from saleor.checkout.fetch import fetch_checkout_info, fetch_checkout_lines
from saleor.checkout.models import Checkout
from saleor.discount import DiscountValueType, VoucherType
from saleor.discount.models import Voucher, VoucherCode
from saleor.graphql.tests.utils import get_graphql_content
from saleor.order.models import Order
from saleor.plugins.manager import get_plugins_manager

from saleor_journey_plugin.campaigns.models import CampaignAttribution, CampaignMessage
from saleor_journey_plugin.campaigns.sweep import sweep
from saleor_journey_plugin.core.host import CouponRequest, get_host
from saleor_journey_plugin.models import JourneyEvent
from saleor_journey_plugin.saleor_adapter.backfill import (
    order_history,
    with_milestone_times,
)
from tests.smtp_inbox import smtp_server, use_smtp

PLUGIN_UPDATE = """
mutation PluginUpdate($channel: ID!, $input: PluginUpdateInput!) {
  pluginUpdate(id: "saleor.journey", channelId: $channel, input: $input) {
    errors { field code message }
  }
}
"""
SUBTOTAL = """
query($id: ID) { checkout(id: $id) { subtotalPrice { gross { amount } } } }
"""
ADD_PROMO_CODE = """
mutation($id: ID, $promoCode: String!) {
  checkoutAddPromoCode(id: $id, promoCode: $promoCode) {
    errors { field code message }
    checkout { voucherCode discount { amount } }
  }
}
"""


def add_promo_code(client, checkout, code):
    """checkoutAddPromoCode through Saleor's API; its result."""
    response = client.post_graphql(
        ADD_PROMO_CODE,
        {
            "id": graphene.Node.to_global_id("Checkout", checkout.token),
            "promoCode": code,
        },
    )
    return get_graphql_content(response)["data"]["checkoutAddPromoCode"]


def ten_percent(reference, channel, expires_at):
    return CouponRequest(
        channel=channel.slug,
        reference=reference,
        value=Decimal(10),
        percentage=True,
        currency=None,
        expires_at=expires_at,
    )


def test_a_coupon_is_a_single_use_code_on_a_voucher_the_plugin_manages(channel_USD):
    # given
    expires = datetime(2030, 3, 9, 10, 20, tzinfo=UTC)

    # when: two sends of the same step and hour, and the first one retried
    first = get_host().create_coupon(ten_percent("message:1", channel_USD, expires))
    second = get_host().create_coupon(ten_percent("message:2", channel_USD, expires))
    retried = get_host().create_coupon(ten_percent("message:1", channel_USD, expires))

    # then: two codes on one single-use voucher, 10% off the order, in USD,
    # until the end of the hour the coupon expires in
    assert retried == first != second
    assert first.startswith("JRN-") and len(first) == 16
    voucher = Voucher.objects.get()
    assert sorted(voucher.codes.values_list("code", flat=True)) == sorted(
        [first, second]
    )
    assert (voucher.type, voucher.discount_value_type, voucher.single_use) == (
        VoucherType.ENTIRE_ORDER,
        DiscountValueType.PERCENTAGE,
        True,
    )
    assert voucher.end_date == datetime(2030, 3, 9, 11, 0, tzinfo=UTC)
    listing = voucher.channel_listings.get()
    assert (listing.channel_id, listing.discount_value, listing.currency) == (
        channel_USD.pk,
        Decimal("10.000"),
        "USD",
    )


def test_another_discount_or_hour_gets_a_voucher_of_its_own(channel_USD):
    # given
    expires = datetime(2030, 3, 9, 10, 0, tzinfo=UTC)
    five_off = CouponRequest(
        channel=channel_USD.slug,
        reference="message:3",
        value=Decimal(5),
        percentage=False,
        currency="USD",
        expires_at=expires,
    )

    # when
    get_host().create_coupon(ten_percent("message:1", channel_USD, expires))
    get_host().create_coupon(
        ten_percent("message:2", channel_USD, expires + timedelta(hours=1))
    )
    get_host().create_coupon(five_off)

    # then: an expiry on the hour is kept as it is
    assert sorted(
        Voucher.objects.values_list("discount_value_type", "end_date")
    ) == sorted(
        [
            (DiscountValueType.PERCENTAGE, expires),
            (DiscountValueType.PERCENTAGE, expires + timedelta(hours=1)),
            (DiscountValueType.FIXED, expires),
        ]
    )
    assert VoucherCode.objects.count() == 3


def test_the_code_takes_ten_percent_off_a_checkout_once(
    api_client, checkout_with_item, channel_USD
):
    # given
    code = get_host().create_coupon(
        ten_percent("message:1", channel_USD, timezone.now() + timedelta(days=7))
    )
    checkout_id = graphene.Node.to_global_id("Checkout", checkout_with_item.token)
    before = get_graphql_content(
        api_client.post_graphql(SUBTOTAL, {"id": checkout_id})
    )["data"]["checkout"]["subtotalPrice"]["gross"]["amount"]

    # when
    result = add_promo_code(api_client, checkout_with_item, code)

    # then: 10% of the order
    assert result["errors"] == []
    assert result["checkout"]["voucherCode"] == code
    assert Decimal(str(result["checkout"]["discount"]["amount"])) == (
        Decimal(str(before)) / 10
    ).quantize(Decimal("0.01"))


CAMPAIGNS_REPORT = """
query ($from: Date!, $to: Date!) {
  journeyReport(from: $from, to: $to) {
    campaigns {
      totals {
        sent remindedCheckouts recoveredCheckouts recoveredOrders
        recoveredRevenue { amount currency } recoveryRate
        discountCost { amount currency } roi
      }
    }
  }
}
"""


def one_recovered(sent, order):
    """Campaign totals after ``sent`` reminders of one checkout, recovered by
    ``order`` with its single discount."""
    revenue = order.total_gross_amount.quantize(Decimal("0.01"))
    cost = order.discounts.get().amount_value.quantize(Decimal("0.01"))
    return {
        "sent": sent,
        "remindedCheckouts": 1,
        "recoveredCheckouts": 1,
        "recoveredOrders": 1,
        "recoveredRevenue": {"amount": str(revenue), "currency": "USD"},
        "recoveryRate": "1",
        "discountCost": {"amount": str(cost), "currency": "USD"},
        "roi": str((revenue - cost) / cost),
    }


def _pay_in_full(checkout):
    """The dummy payment covers the checkout's total after its discount."""
    manager = get_plugins_manager(allow_replica=False)
    checkout.refresh_from_db()
    lines, _ = fetch_checkout_lines(checkout)
    info = fetch_checkout_info(checkout, lines, manager)
    total = calculations.calculate_checkout_total_with_gift_cards(manager, info, lines)
    checkout.payments.update(total=total.gross.amount)


def test_a_reminded_checkout_completed_with_its_code_is_recovered_once(
    journey_config,
    channel_USD,
    api_client,
    staff_user,
    permission_manage_orders,
    ready_checkout,
    complete_checkout,
    journey_api,
    access_token,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    # given: reminders on (one, an hour after, with 10% off) and a guest's
    # checkout left an hour and more
    journey_config(
        channel_USD,
        abandoned_checkout_enabled=True,
        abandoned_checkout_steps="1h:10%",
        checkout_url_template="https://shop.example.com/checkout/{token}",
    )
    with django_capture_on_commit_callbacks(execute=True):
        checkout = ready_checkout(email="jane@example.com")
        get_plugins_manager(allow_replica=False).checkout_updated(checkout)
    start = timezone.now()
    assert sweep(now=start + timedelta(hours=2)) == {"sent": 1}
    [reminder] = mailoutbox
    code = VoucherCode.objects.get().code
    assert code in reminder.body

    # when: Jane comes back, enters the code and completes that checkout
    with freeze_time(start + timedelta(hours=3)):
        added = add_promo_code(api_client, checkout, code)
        assert added["errors"] == []
        _pay_in_full(checkout)
        _, order = complete_checkout(api_client, checkout)
        staff_user.user_permissions.add(permission_manage_orders)
        today = timezone.now().date()
        response = journey_api(
            channel_USD.slug,
            CAMPAIGNS_REPORT,
            {"from": str(today - timedelta(days=1)), "to": str(today + timedelta(1))},
            token=access_token(staff_user),
        )

    # then: Saleor took 10% off; the order-placed event names the code and
    # that discount; the reminder recovered the order at that cost
    discount = order.discounts.get()
    assert (discount.voucher_code, order.voucher_code) == (code, code)
    placed = JourneyEvent.objects.get(type="ORDER_PLACED")
    assert placed.payload["coupons"] == [
        {"code": code, "discount": str(discount.amount_value)}
    ]
    # (journey_backfill writes the same coupons)
    [history, *_] = order_history(
        with_milestone_times(Order.objects.filter(pk=order.pk)).get()
    )
    assert history.payload["coupons"] == placed.payload["coupons"]
    revenue = order.total_gross_amount.quantize(Decimal("0.01"))
    cost = discount.amount_value.quantize(Decimal("0.01"))
    assert cost > 0
    assert list(
        CampaignAttribution.objects.values_list("order_id", "revenue", "discount_cost")
    ) == [(str(order.pk), revenue, cost)]
    assert response.json() == {
        "data": {"journeyReport": {"campaigns": {"totals": one_recovered(1, order)}}}
    }

    # and Saleor refuses the code on another checkout: used, it is invalid
    other = ready_checkout(email="jane@example.com")
    again = add_promo_code(api_client, other, code)
    assert [(e["field"], e["code"]) for e in again["errors"]] == [
        ("promoCode", "INVALID")
    ]
    assert Order.objects.count() == 1


def test_reminders_reach_smtp_on_time_and_stop_at_the_order(
    staff_api_client,
    permission_manage_plugins,
    permission_manage_orders,
    channel_USD,
    api_client,
    ready_checkout,
    complete_checkout,
    journey_api,
    access_token,
    settings,
    django_capture_on_commit_callbacks,
):
    # given: the admin turns the abandoned-checkout reminders on with pluginUpdate
    # (default steps 1h, 24h:10%, 72h; at most one email a day), mail goes to a
    # real SMTP server on loopback, and a guest leaves a checkout
    staff = staff_api_client.user
    staff.user_permissions.add(permission_manage_plugins, permission_manage_orders)
    turned_on = get_graphql_content(
        staff_api_client.post_graphql(
            PLUGIN_UPDATE,
            {
                "channel": graphene.Node.to_global_id("Channel", channel_USD.pk),
                "input": {
                    "active": True,
                    "configuration": [
                        {"name": "abandoned_checkout_enabled", "value": True},
                        {
                            "name": "checkout_url_template",
                            "value": "https://shop.example.com/checkout/{token}",
                        },
                    ],
                },
            },
        )
    )["data"]["pluginUpdate"]
    assert turned_on["errors"] == []
    with smtp_server() as (inbox, port):
        use_smtp(settings, port)
        with django_capture_on_commit_callbacks(execute=True):
            checkout = ready_checkout(email="jane@example.com")
            get_plugins_manager(allow_replica=False).checkout_updated(checkout)
        left = Checkout.objects.get(pk=checkout.pk).last_change

        # when: the beat sweeps before and after each step; Jane comes back
        # after the coupon and completes the checkout with it; the beat goes on
        sent = [
            sweep(now=left + timedelta(minutes=59)),
            sweep(now=left + timedelta(hours=1, minutes=1)),
            # the coupon step is due at 24 h, the daily cap holds it an hour
            sweep(now=left + timedelta(hours=24, minutes=1)),
            sweep(now=left + timedelta(hours=25, minutes=2)),
        ]
        [first, second] = inbox.wait_for(2)
        code = VoucherCode.objects.get().code
        with freeze_time(left + timedelta(hours=26)):
            added = add_promo_code(api_client, checkout, code)
            _pay_in_full(checkout)
            _, order = complete_checkout(api_client, checkout)
        sent += [
            sweep(now=left + timedelta(hours=72, minutes=1)),
            sweep(now=left + timedelta(days=10)),
        ]
        received = len(inbox.messages)
        day = (left + timedelta(hours=26)).date()
        with freeze_time(left + timedelta(hours=26)):
            report = journey_api(
                channel_USD.slug,
                CAMPAIGNS_REPORT,
                {"from": str(day - timedelta(days=1)), "to": str(day + timedelta(1))},
                token=access_token(staff),
            ).json()["data"]["journeyReport"]["campaigns"]["totals"]

    # then: the first reminder at 1 h without a code, the second (held by the
    # cap) with the single-use code, both with the one-click unsubscribe
    # headers; the last call, due after the order, is cancelled
    assert sent == [
        {},
        {"sent": 1},
        {"postponed": 1},
        {"sent": 1},
        {"cancelled": 1},
        {},
    ]
    assert [m["To"] for m in (first, second)] == ["jane@example.com"] * 2
    assert code not in first.get_body(("plain",)).get_content()
    assert code in second.get_body(("plain",)).get_content()
    plugin_url = f"https://example.com/plugins/channel/{channel_USD.slug}"
    for message in (first, second):
        unsubscribe = message["List-Unsubscribe"].strip()
        assert unsubscribe.startswith(f"<{plugin_url}/saleor.journey/unsubscribe/")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Saleor applied the code; the order is recovered with its revenue and the
    # discount's cost, and the last call never left
    assert added["errors"] == []
    discount = order.discounts.get()
    assert discount.voucher_code == code
    assert received == 2
    assert sorted(CampaignMessage.objects.values_list("step", "status")) == [
        (1, "sent"),
        (2, "sent"),
        (3, "cancelled"),
    ]
    assert report == one_recovered(2, order)
