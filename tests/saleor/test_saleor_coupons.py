"""Single-use Saleor voucher codes for campaign coupons, used in a real checkout."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import graphene
from django.utils import timezone
from saleor.discount import DiscountValueType, VoucherType
from saleor.discount.models import Voucher, VoucherCode
from saleor.graphql.tests.utils import get_graphql_content

from saleor_journey_plugin.core.host import CouponRequest, get_host

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
    response = api_client.post_graphql(
        ADD_PROMO_CODE, {"id": checkout_id, "promoCode": code}
    )

    # then: 10% of the order
    result = get_graphql_content(response)["data"]["checkoutAddPromoCode"]
    assert result["errors"] == []
    assert result["checkout"]["voucherCode"] == code
    assert Decimal(str(result["checkout"]["discount"]["amount"])) == (
        Decimal(str(before)) / 10
    ).quantize(Decimal("0.01"))
