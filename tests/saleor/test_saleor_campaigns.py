"""Campaigns inside Saleor: the dashboard fields, checkout reads, the email's links."""

from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser
from io import BytesIO
from urllib.parse import urlsplit

import graphene
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from saleor.core.utils import build_absolute_uri
from saleor.core.views import serve_media_view
from saleor.graphql.core.utils import to_global_id_or_none
from saleor.graphql.tests.utils import get_graphql_content
from saleor.order.models import Order
from saleor.plugins.base_plugin import ConfigurationTypeField
from saleor.plugins.manager import get_plugins_manager

from saleor_journey_plugin.campaigns.models import (
    CampaignClick,
    CampaignMessage,
    CampaignUnsubscribe,
)
from saleor_journey_plugin.campaigns.sweep import sweep
from saleor_journey_plugin.campaigns.tokens import click_token, unsubscribe_token
from saleor_journey_plugin.core.events import EventType, JourneyEventData
from saleor_journey_plugin.core.host import get_host
from saleor_journey_plugin.core.processing import process_event
from saleor_journey_plugin.core.recording import record_event
from saleor_journey_plugin.models import Customer, JourneyEvent
from saleor_journey_plugin.saleor_adapter.host import PLUGIN_ID
from tests.smtp_inbox import smtp_server, use_smtp

PLUGIN_UPDATE = """
mutation PluginUpdate($channel: ID!, $input: PluginUpdateInput!) {
  pluginUpdate(id: "saleor.journey", channelId: $channel, input: $input) {
    plugin { id }
    errors { field code message }
  }
}
"""
CAMPAIGNS_ON = [
    {"name": "abandoned_checkout_enabled", "value": True},
    {
        "name": "checkout_url_template",
        "value": "https://shop.example.com/checkout/{token}",
    },
]


def _update(staff_api_client, channel, configuration):
    response = staff_api_client.post_graphql(
        PLUGIN_UPDATE,
        {
            "channel": graphene.Node.to_global_id("Channel", channel.pk),
            "input": {"active": True, "configuration": configuration},
        },
    )
    return get_graphql_content(response)["data"]["pluginUpdate"]


def test_plugin_update_checks_the_campaign_fields(
    staff_api_client, permission_manage_plugins, channel_USD
):
    # given
    staff_api_client.user.user_permissions.add(permission_manage_plugins)

    # when: a campaign on without its checkout URL, a bad step, a bad template
    bad = _update(
        staff_api_client,
        channel_USD,
        [
            {"name": "win_back_enabled", "value": True},
            {"name": "win_back_steps", "value": "0h:15%, soon"},
            {"name": "win_back_body", "value": "{{#if coupon_code}}{{/each}}"},
        ],
    )
    good = _update(
        staff_api_client,
        channel_USD,
        [*CAMPAIGNS_ON, {"name": "win_back_body", "value": "<p>{{store_name}}</p>"}],
    )

    # then
    assert sorted((e["field"], e["code"]) for e in bad["errors"]) == [
        ("checkoutUrlTemplate", "INVALID"),
        ("winBackBody", "INVALID"),
        ("winBackSteps", "INVALID"),
    ]
    assert good["errors"] == []
    campaigns = get_host().channel_settings(channel_USD.slug).campaigns
    assert [kind.value for kind in campaigns.enabled] == ["abandoned_checkout"]
    assert campaigns.templates == {"win_back_body": "<p>{{store_name}}</p>"}


def test_saleor_shows_templates_as_multiline_fields():
    from saleor_journey_plugin.plugin import JourneyPlugin

    structure = JourneyPlugin.CONFIG_STRUCTURE
    assert structure["win_back_body"]["type"] == ConfigurationTypeField.MULTILINE
    assert structure["win_back_subject"]["type"] == ConfigurationTypeField.MULTILINE
    assert structure["win_back_enabled"]["type"] == ConfigurationTypeField.BOOLEAN
    assert structure["win_back_steps"]["type"] == ConfigurationTypeField.STRING


def test_a_saleor_checkout_reads_with_its_lines_and_whether_it_was_ordered(
    checkout_with_item, customer_user, address
):
    # given: John Doe's billing address
    checkout = checkout_with_item
    checkout.email = "jane@example.com"
    checkout.user = customer_user
    checkout.billing_address = address
    checkout.save()
    line = checkout.lines.get()
    host = get_host()

    # when: read in a batch with a token Saleor cannot have
    batch = host.read_checkouts([str(checkout.pk), "not-a-uuid"])
    read = batch[str(checkout.pk)]

    # then
    assert read.email == "jane@example.com"
    assert read.user_id == str(customer_user.pk)
    assert read.channel == checkout.channel.slug
    assert read.last_change == checkout.last_change
    variant = line.variant
    assert [(li.name, li.variant_name, li.quantity) for li in read.lines] == [
        (
            variant.product.name,
            variant.name if variant.name != variant.product.name else "",
            line.quantity,
        )
    ]
    # (a product without media: no picture)
    assert read.lines[0].image_url == ""
    assert read.first_name == "John"
    assert read.lines[0].price > Decimal(0)
    assert read.ordered is False
    assert batch["not-a-uuid"] is None

    # when an order was placed from it
    Order.objects.create(
        channel=checkout.channel,
        checkout_token=str(checkout.pk),
        currency=checkout.currency,
        lines_count=1,
    )

    # then
    assert host.read_checkouts([str(checkout.pk)])[str(checkout.pk)].ordered is True


def test_staff_and_inactive_users_are_skipped(staff_user, customer_user):
    host = get_host()
    staff, customer = str(staff_user.pk), str(customer_user.pk)
    assert host.skipped_users([staff, customer, "not-a-user"]) == {staff}
    customer_user.is_active = False
    customer_user.save(update_fields=["is_active"])
    assert host.skipped_users([staff, customer]) == {staff, customer}


def test_unsubscribe_and_click_through_the_plugin_url(journey_config, channel_USD):
    # given: campaigns on, and a reminder sent to Jane
    journey_config(
        channel_USD,
        **{item["name"]: item["value"] for item in CAMPAIGNS_ON},
    )
    jane = Customer.objects.create(email="jane@example.com")
    message = CampaignMessage.objects.create(
        channel=channel_USD.slug,
        kind="abandoned_checkout",
        subject="0b5c4a0e-token",
        step=1,
        status="sent",
        triggered_at=timezone.now() - timedelta(hours=2),
        due_at=timezone.now() - timedelta(hours=1),
        customer=jane,
    )
    base = f"/plugins/channel/{channel_USD.slug}/{PLUGIN_ID}/"
    unsubscribe = (
        f"{base}unsubscribe/{unsubscribe_token(channel_USD.slug, message.pk)}/"
    )
    url = get_host().public_url(channel_USD.slug, "click/x/")

    # when
    page = Client().get(unsubscribe)
    forged = Client().post(f"{base}unsubscribe/forged/")
    done = Client().post(unsubscribe)
    click = Client().get(f"{base}click/{click_token(message.pk)}/")

    # then
    assert url.endswith(f"{base}click/x/")
    assert (page.status_code, forged.status_code, done.status_code) == (200, 400, 200)
    assert CampaignUnsubscribe.objects.filter(customer=jane).count() == 1
    assert JourneyEvent.objects.filter(type="UNSUBSCRIBED").count() == 1
    assert click.status_code == 302
    assert click["Location"] == (
        "https://shop.example.com/checkout/0b5c4a0e-token?utm_source=journey"
        "&utm_medium=email&utm_campaign=abandoned_checkout"
    )
    assert CampaignClick.objects.count() == 1


CHECKOUT_EMAIL_UPDATE = """
mutation($id: ID, $email: String!) {
  checkoutEmailUpdate(id: $id, email: $email) { errors { field code } }
}
"""


def test_a_reminder_goes_to_the_typed_address_with_its_holders_consent(
    user_api_client,
    customer_user,
    journey_config,
    channel_USD,
    ready_checkout,
    settings,
    django_capture_on_commit_callbacks,
):
    # given: reminders on; Ben (a guest) left this channel's campaigns, Cleo
    # (a guest) did not; a signed-in shopper leaves two checkouts
    journey_config(
        channel_USD, **{item["name"]: item["value"] for item in CAMPAIGNS_ON}
    )
    ben = Customer.objects.create(email="ben@example.com")
    cleo = Customer.objects.create(email="cleo@example.com")
    CampaignUnsubscribe.objects.create(
        channel=channel_USD.slug, customer=ben, at=timezone.now() - timedelta(days=1)
    )
    with smtp_server() as (inbox, port):
        use_smtp(settings, port)
        with django_capture_on_commit_callbacks(execute=True):
            checkouts = [ready_checkout(user=customer_user) for _ in range(2)]
            for checkout in checkouts:
                get_plugins_manager(allow_replica=False).checkout_updated(checkout)
        # when: the shopper types Ben's and Cleo's addresses (Saleor allows
        # any), the first reminders fall due, and Cleo follows her link
        for checkout, email in zip(checkouts, [ben.email, cleo.email], strict=True):
            errors = get_graphql_content(
                user_api_client.post_graphql(
                    CHECKOUT_EMAIL_UPDATE,
                    {"id": to_global_id_or_none(checkout), "email": email},
                )
            )["data"]["checkoutEmailUpdate"]["errors"]
            assert errors == []
        outcome = sweep(now=timezone.now() + timedelta(hours=2))
        [mail] = inbox.wait_for(1)
        link = urlsplit(mail["List-Unsubscribe"].strip()[1:-1]).path
        response = Client().post(link)

    # then: Ben gets nothing; Cleo's link unsubscribes Cleo, not the account
    assert outcome == {"cancelled": 1, "sent": 1}
    assert [m["To"] for m in inbox.messages] == [cleo.email]
    assert response.status_code == 200
    assert set(CampaignUnsubscribe.objects.values_list("customer_id", flat=True)) == {
        ben.pk,
        cleo.pk,
    }
    account = Customer.objects.get(user_id=str(customer_user.pk))
    assert not account.campaign_unsubscribes.exists()


def test_a_reminder_shows_saleors_thumbnail_the_first_name_and_money_as_written(
    customer_user,
    journey_config,
    channel_USD,
    product_with_image,
    ready_checkout,
    site_settings,
    address,
    settings,
    django_capture_on_commit_callbacks,
):
    # given: the product costs $1.99 and has a picture; Jane's account names
    # her (her billing address says John); the shop keeps a company address
    variant = product_with_image.variants.get()
    variant.channel_listings.filter(channel=channel_USD).update(
        price_amount=Decimal("1.99"), discounted_price_amount=Decimal("1.99")
    )
    customer_user.first_name = "Jane"
    customer_user.save(update_fields=["first_name"])
    address.street_address_2 = "lok. 3"
    address.save(update_fields=["street_address_2"])
    site_settings.company_address = address
    site_settings.save(update_fields=["company_address"])
    journey_config(
        channel_USD, **{item["name"]: item["value"] for item in CAMPAIGNS_ON}
    )
    with smtp_server() as (inbox, port):
        use_smtp(settings, port)
        with django_capture_on_commit_callbacks(execute=True):
            checkout = ready_checkout(user=customer_user)
            get_plugins_manager(allow_replica=False).checkout_updated(checkout)

        # when: the first reminder falls due
        outcome = sweep(now=timezone.now() + timedelta(hours=2))
        [mail] = inbox.wait_for(1)

    # then: the picture is Saleor's thumbnail of the product's first image,
    # as its GraphQL gives it, and Saleor serves it
    assert outcome == {"sent": 1}
    html = mail.get_body(("html",)).get_content()
    text = mail.get_body(("plain",)).get_content()
    media = product_with_image.media.get()
    thumbnail_url = build_absolute_uri(
        reverse(
            "thumbnail",
            kwargs={
                "instance_id": graphene.Node.to_global_id("ProductMedia", media.pk),
                "size": 256,
            },
        )
    )
    assert thumbnail_url.startswith("http")
    assert {
        "src": thumbnail_url,
        "alt": product_with_image.name,
        "width": "80",
        "height": "80",
    } in pictures(html)
    redirect = Client().get(urlsplit(thumbnail_url).path)
    assert redirect.status_code == 302
    settings.DEBUG = True  # Saleor's own media view serves files only then
    location = urlsplit(redirect["Location"]).path
    served = serve_media_view(
        RequestFactory().get(location),
        path=location.removeprefix(settings.MEDIA_URL),
        document_root=settings.MEDIA_ROOT,
    )
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    picture = Image.open(BytesIO(b"".join(served.streaming_content)))
    assert picture.format == "JPEG"
    # and the words: her first name, money as people write it, the address
    assert text.startswith("Hi Jane,")
    assert "Hi John" not in text
    assert f"{product_with_image.name}: 1 \N{MULTIPLICATION SIGN} $1.99 = $1.99" in (
        text
    )
    assert "Total: $" in text
    # (each street line its own part)
    postal = "John Doe, Mirumee Software, Tęczowa 7, lok. 3, 53-601 WROCŁAW, POLAND"
    assert text.rstrip().endswith(postal)
    assert postal in html


MISSING = graphene.Node.to_global_id("Product", 99999)
UTM = "utm_source=journey&utm_medium=email&utm_campaign=browse_abandonment"
PRODUCT_THUMBNAIL = """
query($id: ID!, $channel: String!) {
  product(id: $id, channel: $channel) { name thumbnail(size: 256) { url } }
}
"""


def test_a_browse_email_shows_saleors_products_with_their_thumbnails(
    api_client,
    customer_user,
    journey_config,
    channel_USD,
    product_with_image,
    product_list,
    settings,
):
    # given: browse abandonment on; the customer, subscribed, views a product
    # with a picture twice (by its global ID), another by a variant's ID, and
    # one the store does not have
    journey_config(
        channel_USD,
        browse_abandonment_enabled=True,
        checkout_url_template="https://shop.example.com/checkout/{token}",
        browse_abandonment_product_url_template="https://shop.example.com/p/{slug}",
    )
    who = {"user_id": str(customer_user.pk), "email": customer_user.email}
    now = timezone.now()
    pictured = graphene.Node.to_global_id("Product", product_with_image.pk)
    variant = graphene.Node.to_global_id(
        "ProductVariant", product_list[0].variants.first().pk
    )
    events = [
        (EventType.ACCOUNT_CREATED, "created", "", {}),
        (EventType.NEWSLETTER_OPT_IN, "opt-in", channel_USD.slug, {}),
        (EventType.PRODUCT_VIEWED, "v1", channel_USD.slug, {"product_id": pictured}),
        (EventType.PRODUCT_VIEWED, "v2", channel_USD.slug, {"product_id": variant}),
        (EventType.PRODUCT_VIEWED, "v3", channel_USD.slug, {"product_id": pictured}),
        (EventType.PRODUCT_VIEWED, "v4", channel_USD.slug, {"product_id": MISSING}),
    ]
    for number, (event_type, key, channel, payload) in enumerate(events):
        event_id = record_event(
            JourneyEventData(
                type=event_type,
                idempotency_key=f"browse:{key}",
                occurred_at=now - timedelta(hours=1) + number * timedelta(minutes=1),
                channel=channel,
                payload=payload,
                **who,
            )
        )
        assert event_id is not None
        process_event(event_id)
    thumbnail = get_graphql_content(
        api_client.post_graphql(
            PRODUCT_THUMBNAIL, {"id": pictured, "channel": channel_USD.slug}
        )
    )["data"]["product"]["thumbnail"]["url"]

    # when: four hours after the last view
    with smtp_server() as (inbox, port):
        use_smtp(settings, port)
        outcome = sweep(now=now + timedelta(hours=4))
        [mail] = inbox.wait_for(1)

    # then: Saleor's names, prices, thumbnail and slugs, the most viewed first
    assert outcome == {"sent": 1}
    assert mail["To"] == customer_user.email
    html = mail.get_body(("html",)).get_content()
    assert thumbnail.startswith("http") and "/thumbnail/" in thumbnail
    assert html.count(">See it again</a>") == 2
    assert {"src": thumbnail, "alt": "Test product", "width": "80", "height": "80"} in (
        pictures(html)
    )
    assert html.index("Test product<") < html.index("Test product 1<")
    text = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
    # each product's link is the plugin's click link, which counts the click
    # and lands on the product's page
    lines = text.splitlines()
    landed = {}
    for name in ("Test product", "Test product 1"):
        link = lines[lines.index(f"{name}: $10.00") + 1]
        assert "/saleor.journey/click/" in link
        landed[name] = Client().get(urlsplit(link).path)["Location"]
    assert landed == {
        "Test product": f"https://shop.example.com/p/test-product-11?{UTM}",
        "Test product 1": f"https://shop.example.com/p/test-product-a?{UTM}",
    }
    # and Saleor serves the picture
    served = Client().get(urlsplit(thumbnail).path)
    assert served.status_code in (200, 302)


class _Pictures(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[dict[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            wanted = ("src", "alt", "width", "height")
            self.found.append({k: v for k, v in attrs if k in wanted})


def pictures(html: str) -> list[dict[str, str | None]]:
    """Each <img>'s source, text and size, however the HTML breaks its lines."""
    parser = _Pictures()
    parser.feed(html)
    return parser.found
