"""The Saleor App inside a real Saleor 3.23: installed from its manifest URL,
fed by Saleor's own signed webhooks, writing back with its app token.

The app runs as a separate service (gunicorn and a Celery worker on its own
database, ``app_service.py``); Saleor runs here, on a live server. Where a
test takes ``saleor_worker``, Saleor's webhook deliveries leave from Saleor's
own Celery worker (on Redis, not eager); elsewhere they run eagerly inside the
mutations that trigger them (Saleor's test settings). Each is a real HTTP POST
with Saleor's subscription payload and its JWS signature.
"""

import json
import re

import graphene
import pytest
import requests
from app_service import wait_until
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt import api_jws
from saleor.checkout import calculations
from saleor.checkout.fetch import fetch_checkout_info, fetch_checkout_lines
from saleor.checkout.models import Checkout
from saleor.core.jwt_manager import get_jwt_manager
from saleor.graphql.tests.utils import get_graphql_content
from saleor.payment.models import Payment
from saleor.plugins.manager import get_plugins_manager
from saleor.webhook.event_types import WebhookEventAsyncType

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CHECKOUT_CREATE = """
mutation Start($input: CheckoutCreateInput!) {
  checkoutCreate(input: $input) {
    checkout { id token }
    errors { field code message }
  }
}
"""
CHECKOUT_COMPLETE = """
mutation Complete($id: ID) {
  checkoutComplete(id: $id) {
    order { id number status }
    errors { field code message }
  }
}
"""
ADDRESS = {
    "firstName": "Leslie",
    "lastName": "Wade",
    "streetAddress1": "1470 Pinewood Avenue",
    "city": "Michigan",
    "postalCode": "49855",
    "country": "US",
    "countryArea": "MI",
    "phone": "+12025550143",
}


def start_checkout(client, channel, variant, email):
    response = client.post_graphql(
        CHECKOUT_CREATE,
        {
            "input": {
                "channel": channel.slug,
                "email": email,
                "lines": [
                    {
                        "quantity": 1,
                        "variantId": graphene.Node.to_global_id(
                            "ProductVariant", variant.pk
                        ),
                    }
                ],
                "shippingAddress": ADDRESS,
                "billingAddress": ADDRESS,
            }
        },
    )
    data = get_graphql_content(response)["data"]["checkoutCreate"]
    assert data["errors"] == []
    return Checkout.objects.get(token=data["checkout"]["token"])


def make_payable(checkout, checkout_delivery):
    """A delivery and a dummy payment for the checkout's total (no webhook)."""
    checkout.assigned_delivery = checkout_delivery(checkout)
    checkout.save(update_fields=["assigned_delivery"])
    manager = get_plugins_manager(allow_replica=False)
    lines, _ = fetch_checkout_lines(checkout)
    info = fetch_checkout_info(checkout, lines, manager)
    total = calculations.calculate_checkout_total_with_gift_cards(manager, info, lines)
    Payment.objects.create(
        gateway="mirumee.payments.dummy",
        is_active=True,
        checkout=checkout,
        total=total.gross.amount,
        currency=total.gross.currency,
    )


def complete(client, checkout):
    response = client.post_graphql(
        CHECKOUT_COMPLETE, {"id": graphene.Node.to_global_id("Checkout", checkout.pk)}
    )
    data = get_graphql_content(response)["data"]["checkoutComplete"]
    assert data["errors"] == []
    return data["order"]


def metadata_stage(user):
    user.refresh_from_db(fields=["metadata"])
    return user.metadata.get("journey_stage")


def test_saleor_installs_the_app_and_a_customers_checkout_and_order_move_the_stage(
    installed_app,
    saleor_worker,
    app_service,
    customer_user,
    user_api_client,
    channel_USD,
    product,
    checkout_delivery,
):
    # given: Saleor installed the app from its manifest URL (install_app
    # --activate): one webhook per subscription, each aimed at the app, and
    # the app holds Saleor's token for this Saleor
    webhooks = installed_app.webhooks.all()
    assert installed_app.is_active is True
    assert sorted(event.event_type for w in webhooks for event in w.events.all()) == (
        sorted(
            getattr(WebhookEventAsyncType, name)
            for name in (
                "CHECKOUT_CREATED",
                "CHECKOUT_UPDATED",
                "CHECKOUT_FULLY_PAID",
                "ORDER_CREATED",
                "ORDER_FULLY_PAID",
                "ORDER_FULFILLED",
                "ORDER_CANCELLED",
                "ORDER_REFUNDED",
                "ORDER_FULLY_REFUNDED",
                "CUSTOMER_CREATED",
                "CUSTOMER_UPDATED",
                "ACCOUNT_CONFIRMED",
                "ACCOUNT_EMAIL_CHANGED",
                "ACCOUNT_DELETED",
                "CUSTOMER_DELETED",
                "APP_DELETED",
            )
        )
    )
    assert {w.target_url.rsplit("/", 1)[0] for w in webhooks} == {
        f"{app_service.url}/api/webhooks"
    }
    _, schema, has_token = app_service.tenant()
    assert has_token is True
    user_pk = str(customer_user.pk)

    # when: the signed-in customer starts a checkout through Saleor's API
    checkout = start_checkout(
        user_api_client, channel_USD, product.variants.first(), customer_user.email
    )

    # then: CHECKOUT_CREATED reached the app signed, from Saleor's worker,
    # its stage moved, and the app wrote it into the customer's metadata
    wait_until(lambda: metadata_stage(customer_user), "the checkout's stage in Saleor")
    assert metadata_stage(customer_user) == "consideration"
    assert app_service.tenant_rows(
        "SELECT j.channel, j.stage FROM journey_journey j "
        "JOIN journey_customer c ON c.id = j.customer_id WHERE c.user_id = %s",
        (user_pk,),
    ) == [(channel_USD.slug, "CONSIDERATION")]

    # when: the customer pays and places the order
    make_payable(checkout, checkout_delivery)
    complete(user_api_client, checkout)

    # then: the order's webhooks reached the app, the stage is PURCHASE, and
    # Saleor's metadata says so (the channel's own key too)
    wait_until(
        lambda: metadata_stage(customer_user) == "purchase", "the purchase in Saleor"
    )
    customer_user.refresh_from_db(fields=["metadata"])
    assert {
        key: value
        for key, value in customer_user.metadata.items()
        if key.startswith("journey_stage")
    } == {
        "journey_stage": "purchase",
        f"journey_stage.{channel_USD.slug}": "purchase",
    }
    assert app_service.tenant_rows(
        "SELECT t.from_stage, t.to_stage FROM journey_stage_transition t "
        "JOIN journey_journey j ON j.id = t.journey_id "
        "JOIN journey_customer c ON c.id = j.customer_id "
        "WHERE c.user_id = %s ORDER BY t.id",
        (user_pk,),
    ) == [
        (None, "INTEREST"),
        ("INTEREST", "CONSIDERATION"),
        ("CONSIDERATION", "PURCHASE"),
    ]
    # each fact once, though Saleor sent several deliveries per step
    assert sorted(
        app_service.tenant_rows(
            "SELECT type, count(*) FROM journey_event WHERE user_id = %s GROUP BY type",
            (user_pk,),
        )
    ) == [
        ("CHECKOUT_DETAILS_ADDED", 1),
        ("CHECKOUT_STARTED", 1),
        ("ORDER_PAID", 1),
        ("ORDER_PLACED", 1),
    ]
    assert schema.startswith("tenant_")


def post_webhook(app_service, path: str, body: bytes, signature: str, api_url: str):
    return requests.post(
        f"{app_service.url}/api/webhooks/{path}",
        data=body,
        headers={
            "Content-Type": "application/json",
            "Saleor-Api-Url": api_url,
            "Saleor-Signature": signature,
            "Saleor-Event": path.replace("-", "_"),
        },
        timeout=10,
    )


def order_created_body(user, channel) -> bytes:
    """An ORDER_CREATED body as the app's subscription has Saleor produce it."""
    return json.dumps(
        {
            "__typename": "OrderCreated",
            "issuedAt": "2025-01-01T10:00:00+00:00",
            "order": {
                "id": graphene.Node.to_global_id(
                    "Order", "0f4b0f7e-8a5e-4f0e-9d6a-0d1c2b3a4f5e"
                ),
                "status": "UNFULFILLED",
                "origin": "CHECKOUT",
                "created": "2025-01-01T10:00:00+00:00",
                "userEmail": user.email,
                "user": {"id": graphene.Node.to_global_id("User", user.pk)},
                "channel": {"slug": channel.slug},
                "checkoutId": None,
                "voucherCode": None,
                "total": {
                    "gross": {"amount": 10.0, "currency": "USD"},
                    "net": {"amount": 10.0},
                },
                "totalRefunded": {"amount": 0.0},
                "discounts": [],
                "lines": [],
            },
        }
    ).encode()


def test_a_forged_delivery_gets_401_and_stores_nothing(
    installed_app, app_service, customer_user, channel_USD
):
    # given: an order-created body the subscription could have produced
    body = order_created_body(customer_user, channel_USD)
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    wrong_key = api_jws.encode(
        body,
        key=other_key,
        algorithm="RS256",
        headers={"kid": get_jwt_manager().get_key_id(), "crit": ["b64"]},
        is_payload_detached=True,
    )
    saleors_own = get_jwt_manager().jws_encode(body)
    count_events = "SELECT count(*) FROM journey_event"
    count_tenants = "SELECT count(*) FROM journey_app_tenant"
    # (the module's earlier tests may have recorded events)
    [(events_before,)] = app_service.tenant_rows(count_events)
    assert app_service.query(count_tenants) == [(1,)]

    # when: it comes signed by another key under Saleor's kid, or signed by
    # Saleor itself but naming a Saleor that never installed the app
    forged = post_webhook(
        app_service, "order-created", body, wrong_key, app_service.saleor_api_url
    )
    unregistered = post_webhook(
        app_service, "order-created", body, saleors_own, "http://127.0.0.1:9/graphql/"
    )

    # then: both are 401 and nothing is stored
    assert (forged.status_code, unregistered.status_code) == (401, 401)
    assert app_service.tenant_rows(count_events) == [(events_before,)]
    assert app_service.query(count_tenants) == [(1,)]
    # and the same body, with Saleor's signature for this Saleor, is taken
    genuine = post_webhook(
        app_service, "order-created", body, saleors_own, app_service.saleor_api_url
    )
    assert genuine.status_code == 200
    assert app_service.tenant_rows(count_events) == [(events_before + 1,)]
    assert app_service.tenant_rows(
        "SELECT type, user_id FROM journey_event ORDER BY id DESC LIMIT 1"
    ) == [("ORDER_PLACED", str(customer_user.pk))]


ADD_PROMO_CODE = """
mutation($id: ID, $promoCode: String!) {
  checkoutAddPromoCode(id: $id, promoCode: $promoCode) {
    errors { field code message }
    checkout { voucherCode discount { amount } }
  }
}
"""
CUSTOMER_CREATE = """
mutation($input: UserCreateInput!) {
  customerCreate(input: $input) { user { id } errors { field code message } }
}
"""
# Run in the app's own process, as beat runs the campaign sweep for each
# tenant, at the time the reminder is due.
SWEEP = """
from datetime import timedelta
from saleor_journey_app.tenants.models import Tenant
from saleor_journey_app.tenants.schemas import activated
from saleor_journey_plugin.campaigns.models import CampaignMessage
from saleor_journey_plugin.campaigns.sweep import sweep

with activated(Tenant.objects.get(saleor_api_url={api_url!r})):
    message = CampaignMessage.objects.get(status="scheduled")
    print(sweep(now=message.due_at + timedelta(minutes=1)))
"""
CAMPAIGNS = (
    "abandoned_checkout_enabled=true",
    "abandoned_checkout_steps=1h:10%",
    "checkout_url_template=https://shop.example.com/checkout/{token}",
)


def add_promo_code(client, checkout, code):
    response = client.post_graphql(
        ADD_PROMO_CODE,
        {"id": graphene.Node.to_global_id("Checkout", checkout.pk), "promoCode": code},
    )
    return get_graphql_content(response)["data"]["checkoutAddPromoCode"]


def test_a_reminder_carries_a_code_the_app_made_that_saleor_takes_once(
    installed_app,
    saleor_worker,
    app_service,
    staff_api_client,
    permission_manage_users,
    channel_USD,
    product,
    checkout_delivery,
):
    from saleor.account.models import User
    from saleor.discount.models import VoucherCode
    from saleor.graphql.tests.fixtures import ApiClient

    # given: reminders with a 10% code an hour after a checkout is left, and a
    # customer that staff created in Saleor (CUSTOMER_CREATED told the app)
    app_service.command(
        "journey_app_channel",
        app_service.saleor_api_url,
        channel_USD.slug,
        "currency=USD",
        *CAMPAIGNS,
    )
    staff_api_client.user.user_permissions.add(permission_manage_users)
    created = staff_api_client.post_graphql(
        CUSTOMER_CREATE,
        {
            "input": {
                "email": "robin@example.com",
                "firstName": "Robin",
                "channel": channel_USD.slug,
            }
        },
    )
    assert get_graphql_content(created)["data"]["customerCreate"]["errors"] == []
    robin = User.objects.get(email="robin@example.com")
    shopper = ApiClient(user=robin)

    # when: Robin leaves a checkout, and the app's sweep runs when the
    # reminder is due
    left = start_checkout(shopper, channel_USD, product.variants.first(), robin.email)
    wait_until(lambda: metadata_stage(robin) == "consideration", "the checkout's stage")
    swept = app_service.command(
        "shell", "-v0", "-c", SWEEP.format(api_url=app_service.saleor_api_url)
    )

    # then: the reminder reached Robin's inbox, with a code the app made in
    # Saleor (single use, the channel's 10%) and a button back to the app
    assert swept.strip() == "{'sent': 1}"
    [reminder] = app_service.inbox.wait_for(1)
    assert reminder["To"] == "robin@example.com"
    text = reminder.get_body(("plain",)).get_content()
    assert "Robin" in text
    stored = VoucherCode.objects.select_related("voucher").get()
    code, voucher = stored.code, stored.voucher
    assert code.startswith("JRN-") and code in text
    assert (voucher.single_use, voucher.usage_limit) == (True, 1)
    assert [
        (listing.channel.slug, listing.discount_value)
        for listing in voucher.channel_listings.all()
    ] == [(channel_USD.slug, 10)]
    html = reminder.get_body(("html",)).get_content()
    [button] = {
        link
        for link in re.findall(r'href="([^"]+)"', html)
        if link.startswith(f"{app_service.url}/t/") and "/click/" in link
    }
    followed = requests.get(button, allow_redirects=False, timeout=10)
    assert followed.status_code == 302
    assert followed.headers["Location"].startswith(
        f"https://shop.example.com/checkout/{left.token}?"
    )

    # when: Robin enters the code in the checkout and places the order
    taken = add_promo_code(shopper, left, code)
    assert taken["errors"] == []
    assert taken["checkout"]["voucherCode"] == code
    make_payable(left, checkout_delivery)
    complete(shopper, left)

    # then: Saleor refuses the used code on the next checkout
    second = start_checkout(shopper, channel_USD, product.variants.first(), robin.email)
    refused = add_promo_code(shopper, second, code)
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [
        ("promoCode", "INVALID")
    ]
