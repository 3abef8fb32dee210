"""Moving from the plugin, in a real Saleor: the app's backfill, reading
Saleor's GraphQL as an app with the manifest's four permissions, yields the
facts the plugin's ``journey_backfill`` reads from Saleor's tables, under the
same idempotency keys, so the app's store counts what the plugin's counted.

The app's history reader runs here in Saleor's process; only its transport
(``call``, an HTTP POST with the tenant's token in the app) is Saleor's own
test client posting to Saleor's GraphQL view with an app token.
"""

import json
from datetime import timedelta
from decimal import Decimal

import graphene
import pytest
from saleor.graphql.tests.fixtures import ApiClient
from test_saleor_backfill import _shop

from saleor_journey_app.moving import history as app_history
from saleor_journey_plugin.saleor_adapter.host import SaleorHost

MONEY = ("total", "net", "refunded", "discount")


@pytest.fixture
def saleor_as_the_app(
    app,
    permission_manage_users,
    permission_manage_orders,
    permission_manage_checkouts,
    permission_manage_discounts,
    monkeypatch,
):
    """The app's GraphQL calls answered by this Saleor, as an app holding
    exactly the permissions the manifest asks for."""
    app.permissions.set(
        [
            permission_manage_users,
            permission_manage_orders,
            permission_manage_checkouts,
            permission_manage_discounts,
        ]
    )
    client = ApiClient(app=app)
    asked: list[str] = []

    def call(tenant, query, variables=None):
        asked.append(query.split("(")[0].split()[-1])
        response = client.post_graphql(query, variables)
        body = json.loads(response.content)
        assert "errors" not in body, body["errors"]
        return body["data"]

    monkeypatch.setattr(app_history, "call", call)
    return asked


def _facts(events):
    """Each fact by its key: what the journey reads of it."""
    return {
        event.idempotency_key: {
            "type": event.type,
            "occurred_at": event.occurred_at,
            "channel": event.channel,
            "touch_channel": event.touch_channel,
            "user_id": event.user_id,
            "email": event.email,
            "payload": _money_as_numbers(event.payload),
        }
        for event in events
    }


def _money_as_numbers(payload):
    def number(name, value):
        return Decimal(value) if name in MONEY else value

    return {
        name: [{k: number(k, v) for k, v in item.items()} for item in value]
        if isinstance(value, list)
        else number(name, value)
        for name, value in payload.items()
    }


def test_the_apps_backfill_reads_the_plugins_facts_over_graphql(
    journey_config,
    channel_USD,
    staff_api_client,
    staff_user,
    permission_group_manage_orders,
    warehouse,
    ready_checkout,
    complete_checkout,
    customer_user,
    django_capture_on_commit_callbacks,
    saleor_as_the_app,
):
    # given a store's history: an account's two orders (one fulfilled), a
    # guest's order refunded in full and cancelled, and an open checkout
    permission_group_manage_orders.user_set.add(staff_user)
    capture = django_capture_on_commit_callbacks
    journey_config(channel_USD)
    _shop(
        (customer_user, "guest@example.com"),
        staff_api_client,
        warehouse,
        ready_checkout,
        complete_checkout,
        capture,
    )
    ready_checkout(user=customer_user)

    # when the plugin's backfill reads Saleor's tables and the app's reads
    # Saleor's GraphQL
    plugin = _facts(SaleorHost().history(None, None))
    app = _facts(app_history.SaleorHistory(None, [channel_USD.slug], None))

    # then they name the same facts under the same keys
    assert sorted(app) == sorted(plugin)
    # two of the account, three of the open checkout, 3 + 2 + 4 of the orders
    assert len(app) == 14
    # with the same content; "started" is the checkout's creation for the
    # app (GraphQL shows no line's time), its first line's for the plugin
    for key, fact in plugin.items():
        if key.endswith(":started"):
            assert abs(app[key].pop("occurred_at") - fact.pop("occurred_at")) < (
                timedelta(seconds=1)
            )
        assert app[key] == fact, key
    assert [fact["type"].value for fact in app.values()].count("ORDER_PLACED") == 3
    assert set(saleor_as_the_app) == {
        "JourneyBackfillCustomers",
        "JourneyBackfillCheckouts",
        "JourneyBackfillOrders",
    }


@pytest.fixture
def app_reads(saleor_as_the_app, monkeypatch):
    """The app host's reads (``saleor_api/``) through the same transport."""
    from saleor_journey_app.saleor_api import batch, orders

    monkeypatch.setattr(batch, "call", app_history.call)
    monkeypatch.setattr(orders, "call", app_history.call)
    return saleor_as_the_app


def test_the_apps_reads_answer_as_the_plugins(
    journey_active,
    channel_USD,
    product,
    ready_checkout,
    complete_checkout,
    customer_user,
    customer_user2,
    staff_user,
    django_capture_on_commit_callbacks,
    app_reads,
):
    from saleor_journey_app.saleor_api.checkouts import read_checkouts
    from saleor_journey_app.saleor_api.orders import has_any_order_of
    from saleor_journey_app.saleor_api.users import skipped_users

    host = SaleorHost()
    # an open checkout, and a guest's order Saleor later shows on an account
    open_checkout = ready_checkout(user=customer_user, quantity=2)
    with django_capture_on_commit_callbacks(execute=True):
        _, order = complete_checkout(
            ApiClient(), ready_checkout(email="guest-later@example.com")
        )
    tokens = [str(open_checkout.pk), str(order.checkout_token), "not-a-token"]
    customer_user2.is_active = False
    customer_user2.save(update_fields=["is_active"])

    app_checkouts = read_checkouts(None, tokens)
    assert app_checkouts == host.read_checkouts(tokens)
    assert app_checkouts[str(open_checkout.pk)].lines[0].quantity == 2
    assert app_checkouts[str(order.checkout_token)] is None  # completed: deleted

    users = [str(customer_user.pk), str(customer_user2.pk), str(staff_user.pk)]
    assert skipped_users(None, users) == host.skipped_users(users)
    assert skipped_users(None, users) == {str(customer_user2.pk), str(staff_user.pk)}

    assert has_any_order_of(None, str(customer_user.pk), [str(order.pk)]) is False
    order.user = customer_user
    order.save(update_fields=["user"])
    assert has_any_order_of(None, str(customer_user.pk), [str(order.pk)]) is True
    assert host.has_any_order_of(str(customer_user.pk), [str(order.pk)]) is True

    from saleor_journey_app.saleor_api.orders import purchased_product

    variant = product.variants.first()
    product_id = graphene.Node.to_global_id("Product", product.pk)
    for named, in_order in [
        (product_id, ""),
        (graphene.Node.to_global_id("ProductVariant", variant.pk), str(order.number)),
        (variant.sku, graphene.Node.to_global_id("Order", order.pk)),
        (variant.sku, str(order.number + 1)),
        (graphene.Node.to_global_id("Product", product.pk + 1), ""),
    ]:
        asked = (channel_USD.slug, "Guest-Later@example.com", named, in_order)
        assert purchased_product(None, *asked) == host.purchased_product(*asked)
    assert (
        purchased_product(
            None, channel_USD.slug, "guest-later@example.com", variant.sku, ""
        )
        == product_id
    )


def test_the_app_withdraws_an_unused_code_and_keeps_a_used_one(
    channel_USD, saleor_as_the_app, monkeypatch
):
    from types import SimpleNamespace

    from django.utils import timezone
    from saleor.discount import DiscountValueType, VoucherType
    from saleor.discount.models import Voucher, VoucherChannelListing, VoucherCode

    from saleor_journey_app.saleor_api import vouchers

    monkeypatch.setattr(vouchers, "call", app_history.call)
    tenant = SimpleNamespace(saleor_api_url="http://saleor.test/graphql/")

    def made(reference, used=0):
        """A code as the app's create_coupon leaves it: a voucher of its own."""
        code = vouchers.coupon_code(tenant, reference)
        voucher = Voucher.objects.create(
            name=f"Customer journey {code}",
            type=VoucherType.ENTIRE_ORDER,
            discount_value_type=DiscountValueType.FIXED,
            single_use=True,
            usage_limit=1,
            end_date=timezone.now() + timedelta(days=7),
        )
        VoucherChannelListing.objects.create(
            voucher=voucher, channel=channel_USD, discount_value=5, currency="USD"
        )
        VoucherCode.objects.create(
            voucher=voucher, code=code, used=used, is_active=not used
        )
        return code

    unused, used = made("redeem:1"), made("redeem:2", used=1)

    assert vouchers.withdraw_coupon(tenant, "redeem:1") is True
    assert not VoucherCode.objects.filter(code=unused).exists()
    assert vouchers.withdraw_coupon(tenant, "redeem:1") is True  # a retry
    assert vouchers.withdraw_coupon(tenant, "redeem:2") is False
    assert Voucher.objects.filter(codes__code=used).count() == 1


def test_the_apps_shop_and_product_reads_answer_as_the_plugins(
    journey_active,
    channel_USD,
    product,
    product_with_image,
    site_settings,
    address,
    app_reads,
    monkeypatch,
):
    from types import SimpleNamespace

    from saleor_journey_app.saleor_api import products, shop

    monkeypatch.setattr(products, "call", app_history.call)
    monkeypatch.setattr(shop, "call", app_history.call)
    shop.forget()
    tenant = SimpleNamespace(pk=-1)  # the reads' cache key; the call is this Saleor
    host = SaleorHost()
    # given: the shop's company address, with a second street line
    address.street_address_2 = "lok. 3"
    address.save(update_fields=["street_address_2"])
    site_settings.company_address = address
    site_settings.save(update_fields=["company_address"])

    # then: the shop reads as the plugin reads it from Saleor's tables
    found = shop.shop_of(tenant)
    assert found.name == host.store_name(channel_USD.slug)
    assert found.postal_address == host.postal_address(channel_USD.slug)
    assert "lok. 3" in found.postal_address

    # and so do products, by each name a storefront tracks them by
    variant = product.variants.first()
    asked = [
        graphene.Node.to_global_id("Product", product.pk),
        graphene.Node.to_global_id("ProductVariant", variant.pk),
        product.slug,
        graphene.Node.to_global_id("Product", product_with_image.pk),
        graphene.Node.to_global_id("Product", 2**31 - 2),
        "no-such-slug",
    ]
    cards = products.product_cards(tenant, channel_USD.slug, asked)
    assert cards == host.product_cards(channel_USD.slug, asked)
    assert set(cards) == set(asked[:4])
    assert cards[product.slug].price == variant.channel_listings.get().price_amount
    assert cards[asked[3]].image_url.startswith("http")
