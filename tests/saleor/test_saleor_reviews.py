"""Signed review webhooks inside a real Saleor: verified purchases, the secret field."""

import json
import time

import graphene
import pytest
from django.test import TestCase
from django.test.client import Client
from saleor.graphql.tests.utils import get_graphql_content

from saleor_journey_plugin.core.processing import drain
from saleor_journey_plugin.models import Journey, JourneyEvent
from saleor_journey_plugin.reviews.models import Review
from saleor_journey_plugin.reviews.signature import sign

# The base64 of the key "saleor-review-secret-0123456789", as services hand it out.
SECRET = "whsec_c2FsZW9yLXJldmlldy1zZWNyZXQtMDEyMzQ1Njc4OQ=="

PLUGIN_UPDATE = """
mutation PluginUpdate($channel: ID!, $input: PluginUpdateInput!) {
  pluginUpdate(id: "saleor.journey", channelId: $channel, input: $input) {
    plugin { channelConfigurations { channel { slug } configuration { name value } } }
    errors { field code message }
  }
}
"""


@pytest.fixture
def reviews_on(journey_config, channel_USD):
    return journey_config(channel_USD, review_webhook_secrets=SECRET)


def send(channel, review, *, webhook_id="msg_1", secret=SECRET):
    body = json.dumps(review).encode()
    timestamp = int(time.time())
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = Client().post(
            f"/plugins/channel/{channel.slug}/saleor.journey/webhooks/reviews/",
            data=body,
            content_type="application/json",
            headers={
                "webhook-id": webhook_id,
                "webhook-timestamp": str(timestamp),
                "webhook-signature": sign(secret, webhook_id, timestamp, body),
            },
        )
    return response.status_code, response.json()


def test_a_review_of_a_product_the_customer_paid_for_is_verified(
    reviews_on,
    channel_USD,
    customer_user,
    user_api_client,
    ready_checkout,
    complete_checkout,
):
    # given: the customer bought and paid with Saleor's checkoutComplete
    _, order = complete_checkout(user_api_client, ready_checkout(user=customer_user))
    line = order.lines.get()
    variant = line.variant
    assert order.charge_status == "full"

    # when: the review service sends their review of the product
    status, answer = send(
        channel_USD,
        {
            "review_id": "rv-1",
            "rating": 5,
            "email": customer_user.email.upper(),
            "product": graphene.Node.to_global_id("Product", variant.product_id),
        },
    )
    drain()

    # then: verified, applied to the account's journey, LOYALTY
    assert (status, answer) == (
        200,
        {"status": "created", "review_id": "rv-1", "version": 1, "verified": True},
    )
    review = Review.objects.get()
    journey = Journey.objects.get(
        customer__user_id=str(customer_user.pk), channel=channel_USD.slug
    )
    assert (review.verified, review.customer_id) == (True, journey.customer_id)
    assert journey.stage == "LOYALTY"
    assert JourneyEvent.objects.get(type="REVIEW_SUBMITTED").payload["verified"]


@pytest.mark.parametrize(
    "reference",
    ["variant ID", "variant SKU", "order ID", "order UUID", "order number"],
)
def test_a_review_naming_the_variant_or_order_any_way_is_verified(
    reviews_on,
    channel_USD,
    customer_user,
    user_api_client,
    ready_checkout,
    complete_checkout,
    reference,
):
    # given
    _, order = complete_checkout(user_api_client, ready_checkout(user=customer_user))
    variant = order.lines.get().variant
    product = graphene.Node.to_global_id("Product", variant.product_id)
    fields = {
        "variant ID": {
            "product": graphene.Node.to_global_id("ProductVariant", variant.pk)
        },
        "variant SKU": {"product": variant.sku},
        "order ID": {
            "product": product,
            "order": graphene.Node.to_global_id("Order", order.pk),
        },
        "order UUID": {"product": variant.sku, "order": str(order.pk)},
        "order number": {"product": product, "order": order.number},
    }[reference]

    # when
    _, answer = send(
        channel_USD,
        {"review_id": "rv-2", "rating": 4, "email": customer_user.email, **fields},
    )

    # then: verified, as a purchase of the product by its global ID
    assert answer["verified"] is True
    event = JourneyEvent.objects.get(type="REVIEW_SUBMITTED")
    assert event.payload["purchased_product"] == product


def test_a_guest_order_verifies_its_email_whatever_its_case(
    reviews_on, channel_USD, api_client, ready_checkout, complete_checkout
):
    # given: a guest checkout typed with capitals
    _, order = complete_checkout(
        api_client, ready_checkout(email="Guest.Buyer@Example.com")
    )
    sku = order.lines.get().variant.sku

    # when
    _, answer = send(
        channel_USD,
        {
            "review_id": "rv-3",
            "rating": 3,
            "email": "guest.buyer@example.com",
            "product": sku,
        },
    )

    # then
    assert answer["verified"] is True


def test_a_review_of_a_product_someone_else_bought_is_not_verified(
    reviews_on,
    channel_USD,
    customer_user,
    user_api_client,
    ready_checkout,
    complete_checkout,
):
    # given
    _, order = complete_checkout(user_api_client, ready_checkout(user=customer_user))
    sku = order.lines.get().variant.sku

    # when: another address reviews it, naming the order too
    _, answer = send(
        channel_USD,
        {
            "review_id": "rv-4",
            "rating": 1,
            "email": "someone.else@example.com",
            "product": sku,
            "order": order.number,
        },
    )

    # then: kept, but not verified
    assert answer["verified"] is False
    assert Review.objects.get().verified is False


def test_a_wrong_signature_is_refused_in_saleor(reviews_on, channel_USD):
    # when
    status, answer = send(
        channel_USD,
        {"review_id": "rv-5", "rating": 5, "email": "a@example.com"},
        secret="bm90LXRoZS1zZWNyZXQtb2YtdGhpcy1jaGFubmVs",  # another key
    )

    # then
    assert (status, answer) == (
        401,
        {"error": "No signature matches: wrong secret or altered body."},
    )
    assert Review.objects.count() == 0


def test_plugin_update_checks_the_review_secrets_and_hides_them(
    staff_api_client, permission_manage_plugins, channel_USD
):
    # given
    staff_api_client.user.user_permissions.add(permission_manage_plugins)
    channel = graphene.Node.to_global_id("Channel", channel_USD.pk)

    def update(value):
        response = staff_api_client.post_graphql(
            PLUGIN_UPDATE,
            {
                "channel": channel,
                "input": {
                    "active": True,
                    "configuration": [
                        {"name": "review_webhook_secrets", "value": value}
                    ],
                },
            },
        )
        return get_graphql_content(response)["data"]["pluginUpdate"]

    # when: a passphrase that is not base64, a key too short, then a valid pair
    passphrase = update("saleor-review-secret-0123456789")
    short = update(f"{SECRET} c2hvcnQta2V5")
    valid = update(f"{SECRET} MDEyMzQ1Njc4OWFiY2RlZmdoaWprbG1u")

    # then: field errors; the valid pair is saved and read back masked
    assert [passphrase["errors"], short["errors"]] == [
        [
            {
                "field": "reviewWebhookSecrets",
                "code": "INVALID",
                "message": "Secret 1 is not base64: write the key in base64, "
                "optionally after whsec_, as Standard Webhooks services give it (a "
                "passphrase used before becomes whsec_ and its base64).",
            }
        ],
        [
            {
                "field": "reviewWebhookSecrets",
                "code": "INVALID",
                "message": "Secret 2's key is 9 bytes; each secret needs at least "
                "24 bytes (32 base64 characters).",
            }
        ],
    ]
    assert valid["errors"] == []
    [usd] = valid["plugin"]["channelConfigurations"]
    shown = {item["name"]: item["value"] for item in usd["configuration"]}
    assert shown["review_webhook_secrets"] == "bG1u"
