"""The reads and the withdrawal the core asks of the app's host, over the
tenant's Saleor GraphQL with its token: checkouts for the campaign sweeps,
staff or inactive users, a refunded redemption's code, verified purchases and
guest orders linked to an account."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from saleor_journey_app.tenants.schemas import activated
from saleor_journey_plugin.core.events import EventType, JourneyEventData
from saleor_journey_plugin.core.host import (
    Checkout,
    CheckoutLine,
    CouponRequest,
    ProductCard,
    get_host,
)
from saleor_journey_plugin.core.processing import drain
from saleor_journey_plugin.core.recording import record_event

from . import payloads as p
from .conftest import gid

TOKEN = p.CHECKOUT_TOKEN
GONE = "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed"
PRODUCT = gid("Product", 72)
VARIANT = gid("ProductVariant", 301)


def checkout_node(**overrides):
    return {
        **p.checkout(),
        "created": "2026-03-01T08:00:00+00:00",
        "lastChange": "2026-03-01T08:30:00+00:00",
        "chargeStatus": "NONE",
        "billingAddress": {"firstName": "Kim"},
        "totalPrice": {"gross": {"amount": 61.5, "currency": "USD"}},
        "lines": [
            {
                "quantity": 2,
                "totalPrice": {"gross": {"amount": 49.0}},
                "undiscountedUnitPrice": {"amount": 30.0},
                "variant": {
                    "name": "Blue / M",
                    "product": {
                        "name": "Linen shirt",
                        "thumbnail": {"url": "https://cdn.test/shirt-256.png"},
                    },
                },
            },
            {
                "quantity": 1,
                "totalPrice": {"gross": {"amount": 0}},
                "undiscountedUnitPrice": {"amount": 12.5},
                "variant": {
                    "name": "Socks",
                    "product": {"name": "Socks", "thumbnail": None},
                },
            },
        ],
        **overrides,
    }


def user_node(pk, *, staff=False, active=True, first_name=""):
    return {
        **p.user(id=gid("User", pk), email=f"user{pk}@example.com"),
        "isStaff": staff,
        "isActive": active,
        "firstName": first_name,
    }


def test_checkouts_are_read_in_one_request(tenant_a, saleor_a):
    saleor_a.checkouts = [checkout_node()]
    with activated(tenant_a):
        found = get_host().read_checkouts([TOKEN, GONE, "not-a-token"])

    assert found == {
        TOKEN: Checkout(
            token=TOKEN,
            channel=p.CHANNEL,
            email="kim@example.com",
            user_id="42",
            lines=(
                CheckoutLine(
                    name="Linen shirt",
                    quantity=2,
                    price=Decimal("24.5"),
                    variant_name="Blue / M",
                    image_url="https://cdn.test/shirt-256.png",
                ),
                # Prices not computed yet: the undiscounted unit price.
                CheckoutLine(name="Socks", quantity=1, price=Decimal("12.5")),
            ),
            total=Decimal("61.5"),
            currency="USD",
            last_change=datetime(2026, 3, 1, 8, 30, tzinfo=UTC),
            first_name="Kim",
        ),
        GONE: None,
        "not-a-token": None,
    }
    (read,) = saleor_a.calls_of("JourneyRead")
    assert sorted(read["variables"].values()) == sorted(
        [gid("Checkout", TOKEN), gid("Checkout", GONE)]
    )
    assert read["token"] == saleor_a.token


def test_a_sweeps_batch_is_split_into_requests_of_fifty(tenant_a, saleor_a):
    tokens = [f"00000000-0000-4000-8000-{n:012d}" for n in range(120)]
    with activated(tenant_a):
        found = get_host().read_checkouts(tokens)
    assert found == dict.fromkeys(tokens)
    assert [len(c["variables"]) for c in saleor_a.calls_of("JourneyRead")] == [
        50,
        50,
        20,
    ]


def test_staff_inactive_and_unknown_users_are_skipped(tenant_a, saleor_a):
    saleor_a.users = [
        user_node(1),
        user_node(2, active=False),
        user_node(3, staff=True),  # no orders: Saleor hides it from the app
        user_node(4, staff=True),  # placed an order: shown, and staff
    ]
    saleor_a.orders = [{**p.order(), "user": {"id": gid("User", 4)}}]
    with activated(tenant_a):
        skipped = get_host().skipped_users(["1", "2", "3", "4", "5", "x"])
    assert skipped == {"2", "3", "4", "5"}


def test_a_first_name_comes_from_the_account(tenant_a, saleor_a):
    saleor_a.users = [user_node(1, first_name=" Ada ")]
    with activated(tenant_a):
        assert get_host().first_name("1") == "Ada"
        assert get_host().first_name("2") == ""
        assert get_host().first_name("User:1") == ""
    assert len(saleor_a.calls_of("JourneyRead")) == 2


def coupon(reference, expires_at):
    return CouponRequest(
        channel=p.CHANNEL,
        reference=reference,
        value=Decimal("10"),
        percentage=False,
        currency="USD",
        expires_at=expires_at,
    )


def test_an_unused_code_is_withdrawn_once_and_stays_withdrawn(tenant_a, saleor_a):
    later = datetime.now(UTC) + timedelta(days=7)
    with activated(tenant_a):
        code = get_host().create_coupon(coupon("redeem:9", later))
        (voucher_id,) = saleor_a.voucher_records
        assert get_host().withdraw_coupon(p.CHANNEL, "redeem:9") is True
        assert saleor_a.voucher_records == {}
        assert saleor_a.vouchers_deleted == [voucher_id]
        # A retried refund: the code is gone, nobody can spend it.
        assert get_host().withdraw_coupon(p.CHANNEL, "redeem:9") is True
    assert saleor_a.vouchers_deleted == [voucher_id]
    finds = saleor_a.calls_of("JourneyCouponFind")
    assert [call["variables"] for call in finds] == [{"code": code}] * 2


def test_a_used_or_expired_code_is_not_withdrawn(tenant_a, saleor_a):
    with activated(tenant_a):
        used = get_host().create_coupon(
            coupon("redeem:1", datetime.now(UTC) + timedelta(days=3))
        )
        get_host().create_coupon(
            coupon("redeem:2", datetime.now(UTC) - timedelta(hours=1))
        )
        for voucher in saleor_a.voucher_records.values():
            for row in voucher["codes"]:
                if row["code"] == used:
                    row.update(used=1, isActive=False)
        assert get_host().withdraw_coupon(p.CHANNEL, "redeem:1") is False
        assert get_host().withdraw_coupon(p.CHANNEL, "redeem:2") is False
    assert saleor_a.vouchers_deleted == []
    assert len(saleor_a.voucher_records) == 2


def paid_order(number, **overrides):
    return {
        **p.order(),
        "id": gid("Order", f"00000000-0000-4000-8000-{number:012d}"),
        "number": str(number),
        "chargeStatus": "FULL",
        "lines": [
            {
                "productSku": "SHIRT-M",
                "variant": {
                    "id": VARIANT,
                    "sku": "SHIRT-M",
                    "product": {"id": PRODUCT},
                },
            }
        ],
        **overrides,
    }


@pytest.mark.parametrize(
    "product, order, answer",
    [
        (PRODUCT, "", PRODUCT),
        (VARIANT, "", PRODUCT),
        ("SHIRT-M", "", PRODUCT),
        (gid("Product", "072"), "", PRODUCT),  # zero-padded: the same row
        (PRODUCT, "7", PRODUCT),
        (PRODUCT, gid("Order", "00000000-0000-4000-8000-000000000007"), PRODUCT),
        (PRODUCT, "00000000-0000-4000-8000-000000000007", PRODUCT),
        (PRODUCT, "8", None),  # unpaid
        (PRODUCT, "9", None),  # cancelled
        (gid("Product", 73), "", None),
        ("", "", None),
    ],
)
def test_a_review_is_verified_by_a_paid_orders_line(
    tenant_a, saleor_a, product, order, answer
):
    saleor_a.orders = [
        paid_order(7),
        paid_order(8, chargeStatus="NONE"),
        paid_order(9, status="CANCELED"),
    ]
    with activated(tenant_a):
        assert (
            get_host().purchased_product(p.CHANNEL, " Kim@Example.com", product, order)
            == answer
        )


def test_an_order_under_another_case_counts_once_the_journey_knows_the_account(
    tenant_a, saleor_a
):
    saleor_a.orders = [paid_order(7, userEmail="KIM@example.com")]
    with activated(tenant_a):
        assert (
            get_host().purchased_product(p.CHANNEL, "kim@example.com", PRODUCT, "")
            is None
        )
        record_event(
            JourneyEventData(
                type=EventType.ACCOUNT_CREATED,
                idempotency_key="user:42:created",
                occurred_at=datetime(2026, 2, 1, tzinfo=UTC),
                user_id="42",
                email="kim@example.com",
            )
        )
        drain()  # the journey now knows kim's account
        assert (
            get_host().purchased_product(p.CHANNEL, "kim@example.com", PRODUCT, "")
            == PRODUCT
        )


def test_a_guests_order_is_the_accounts_once_saleor_shows_it_there(tenant_a, saleor_a):
    placed = "00000000-0000-4000-8000-000000000007"
    saleor_a.orders = [paid_order(7, user=None)]
    with activated(tenant_a):
        assert get_host().has_any_order_of("42", [placed, "junk"]) is False
        saleor_a.orders = [paid_order(7)]
        assert get_host().has_any_order_of("42", [placed, "junk"]) is True
        assert get_host().has_any_order_of("43", [placed]) is False
        assert get_host().has_any_order_of("42", ["junk"]) is False
    assert len(saleor_a.calls_of("JourneyOrdersOfUser")) == 3


def product_node(pk, slug, *, amount=None, channels=("default-channel",)):
    pricing = (
        {"priceRange": {"start": {"gross": {"amount": amount, "currency": "USD"}}}}
        if amount is not None
        else None
    )
    return {
        "id": gid("Product", pk),
        "name": slug.replace("-", " ").title(),
        "slug": slug,
        "pricing": pricing,
        "thumbnail": {"url": f"https://cdn.test/{slug}-256.png"},
        "variants": [gid("ProductVariant", pk * 10)],
        "channels": list(channels),
    }


def test_products_are_read_as_a_shopper_of_the_channel_sees_them(tenant_a, saleor_a):
    # given: a shirt on sale in the channel, socks without a price there, and
    # a hat sold only in another channel
    saleor_a.products = [
        product_node(72, "linen-shirt", amount=45.0),
        product_node(73, "wool-socks"),
        product_node(74, "sun-hat", amount=20.0, channels=("other-channel",)),
    ]
    asked = [
        PRODUCT,  # the shirt, by product ID
        gid("ProductVariant", 720),  # the shirt, by a variant's ID
        "linen-shirt",  # the shirt, by slug
        "wool-socks",
        "sun-hat",
        gid("Product", "x"),  # no integer key: not asked at all
        gid("Product", 2**31),  # beyond Saleor's keys: not asked either
        "no-such-product",
    ]

    with activated(tenant_a):
        cards = get_host().product_cards("default-channel", asked)

    # then: the shirt under each of its names; the rest left out; one request
    shirt = ProductCard(
        id=PRODUCT,
        name="Linen Shirt",
        slug="linen-shirt",
        price=Decimal("45.0"),
        currency="USD",
        image_url="https://cdn.test/linen-shirt-256.png",
    )
    assert cards == {
        PRODUCT: shirt,
        gid("ProductVariant", 720): shirt,
        "linen-shirt": shirt,
    }
    [call] = saleor_a.calls_of("JourneyProducts")
    assert sorted(call["variables"].values()) == sorted(
        [
            "default-channel",
            PRODUCT,
            gid("ProductVariant", 720),
            "linen-shirt",
            "wool-socks",
            "sun-hat",
            "no-such-product",
        ]
    )


def test_the_shops_name_and_address_are_read_once_for_many_emails(tenant_a, saleor_a):
    saleor_a.shop = {
        "name": "Maru Store",
        "companyAddress": {
            "firstName": "",
            "lastName": "",
            "companyName": "Maru GmbH",
            "streetAddress1": "Torstraße 1",
            "streetAddress2": "Hof 2",
            "city": "Berlin",
            "cityArea": "",
            "postalCode": "10119",
            "country": {"code": "DE"},
            "countryArea": "",
        },
    }
    host = get_host()
    with activated(tenant_a):
        names = {host.store_name("default-channel") for _ in range(3)}
        address = host.postal_address("default-channel")

    assert names == {"Maru Store"}
    # laid out by Germany's rules (postal code before the city)
    assert address == ("Maru GmbH", "Torstraße 1", "Hof 2", "10119 BERLIN", "GERMANY")
    assert len(saleor_a.calls_of("JourneyShop")) == 1
