"""The app's campaign emails: the sweep sends them through Django's email
backend (a real SMTP server here) with the shop's name and address and a code
the app made in the tenant's Saleor; their links come back to the app and act
in the tenant that sent them, and only there."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from saleor_journey_app.tenants.schemas import activated
from saleor_journey_plugin.campaigns.models import (
    CampaignClick,
    CampaignMessage,
    CampaignUnsubscribe,
    MessageStatus,
)
from saleor_journey_plugin.campaigns.sweep import sweep
from saleor_journey_plugin.campaigns.tokens import click_token, unsubscribe_token
from saleor_journey_plugin.core.consent import confirmation_token
from saleor_journey_plugin.core.events import EventType
from saleor_journey_plugin.core.processing import drain
from saleor_journey_plugin.models import Customer, JourneyEvent
from tests.smtp_inbox import smtp_server, use_smtp

from . import payloads as p
from .conftest import CHANNEL, deliver
from .test_saleor_reads import checkout_node, user_node

CAMPAIGNS = {
    "abandoned_checkout_enabled": "true",
    "abandoned_checkout_steps": "1h:10%",
    "checkout_url_template": "https://shop.example.com/checkout/{token}",
}
SHOP = {
    "name": "Linen & Co",
    "companyAddress": {
        "firstName": "",
        "lastName": "",
        "companyName": "Linen & Co",
        "streetAddress1": "1470 Pinewood Avenue",
        "streetAddress2": "Suite 4",
        "city": "MICHIGAN",
        "cityArea": "",
        "postalCode": "49855",
        "country": {"code": "US"},
        "countryArea": "MI",
    },
}


@pytest.fixture
def inbox(settings):
    with smtp_server() as (received, port):
        use_smtp(settings, port)
        yield received


def campaigns_on(tenant) -> None:
    tenant.channels = {CHANNEL: {**tenant.channels[CHANNEL], **CAMPAIGNS}}
    tenant.save(update_fields=["channels"])


def message_in(tenant, pk: int, user_id: str, email: str) -> CampaignMessage:
    """A sent reminder of ``tenant`` with the given id, to its customer."""
    now = timezone.now()
    with activated(tenant):
        customer = Customer.objects.create(user_id=user_id, email=email)
        return CampaignMessage.objects.create(
            pk=pk,
            channel=CHANNEL,
            kind="abandoned_checkout",
            subject=p.CHECKOUT_TOKEN,
            step=0,
            status=MessageStatus.SENT,
            triggered_at=now,
            due_at=now,
            sent_at=now,
            customer=customer,
            email=email,
        )


def test_a_link_from_one_tenants_email_does_nothing_in_another(
    client, tenant_a, tenant_b
):
    # given: each Saleor's app sent a reminder, with the same id in each
    # tenant (each schema counts its own ids)
    message_in(tenant_a, 9001, "42", "kim@example.com")
    message_in(tenant_b, 9001, "7", "lee@example.com")
    with activated(tenant_b):
        JourneyEvent.objects.create(
            pk=9001,
            type=EventType.NEWSLETTER_OPT_IN_REQUESTED.value,
            idempotency_key="opt-in-request:9001",
            occurred_at=timezone.now(),
            channel=CHANNEL,
            email="lee@example.com",
        )
    with activated(tenant_a):
        unsubscribe = unsubscribe_token(CHANNEL, 9001)
        click = click_token(9001)
        opt_in = confirmation_token(9001)

    # when: tenant A's customer's links are sent to tenant B's URLs
    other = f"/t/{tenant_b.pk}/campaigns/{CHANNEL}"
    posted = client.post(f"{other}/unsubscribe/{unsubscribe}/")
    clicked = client.get(f"{other}/click/{click}/")
    confirmed = client.post(f"{other}/confirm-opt-in/{opt_in}/")

    # then: refused, and B's customers are neither unsubscribed, counted nor
    # opted in
    assert (posted.status_code, clicked.status_code, confirmed.status_code) == (
        400,
        400,
        400,
    )
    with activated(tenant_b):
        assert CampaignUnsubscribe.objects.count() == 0
        assert CampaignClick.objects.count() == 0
        assert list(JourneyEvent.objects.values_list("type", flat=True)) == [
            EventType.NEWSLETTER_OPT_IN_REQUESTED.value
        ]
    # and in their own tenant the same links work
    own = f"/t/{tenant_a.pk}/campaigns/{CHANNEL}"
    assert client.post(f"{own}/unsubscribe/{unsubscribe}/").status_code == 200
    with activated(tenant_a):
        assert list(
            CampaignUnsubscribe.objects.values_list("channel", "customer__user_id")
        ) == [(CHANNEL, "42")]


def test_links_of_a_tenant_that_is_not_there_are_not_found(client, tenant_a):
    with activated(tenant_a):
        token = unsubscribe_token(CHANNEL, 1)
    response = client.post(f"/t/999999/campaigns/{CHANNEL}/unsubscribe/{token}/")
    assert response.status_code == 404


def links_in(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


def test_the_sweep_sends_a_reminder_with_the_apps_code_and_links(
    client, saleor_a, tenant_a, inbox
):
    # given: abandoned-checkout reminders on in Saleor A's channel (one step,
    # an hour after the checkout's last change, with a 10% code), and Kim's
    # account's checkout there, as Saleor shows them to the app
    campaigns_on(tenant_a)
    saleor_a.shop = SHOP
    saleor_a.users = [user_node(42, first_name="Kim")]
    saleor_a.checkouts = [checkout_node()]
    for name, body in [
        ("customer-created", p.event("CustomerCreated", user=p.user())),
        ("checkout-created", p.event("CheckoutCreated", checkout=p.checkout())),
    ]:
        assert deliver(client, saleor_a, name, body).status_code == 200
    with activated(tenant_a):
        drain()
        [scheduled] = CampaignMessage.objects.all()

        # when: the sweep runs once the step is due
        counts = sweep(now=scheduled.due_at + timedelta(minutes=1))
        message = CampaignMessage.objects.get()

    # then: one email reached the SMTP server, to the checkout's owner, with
    # the shop's name and address from Saleor and the code the app made there
    assert counts == {"sent": 1}
    [email] = inbox.wait_for(1)
    assert (email["To"], message.status) == ("kim@example.com", MessageStatus.SENT)
    assert re.fullmatch(r"JRN-[A-Z0-9]+", message.coupon_code)
    assert saleor_a.codes == {message.coupon_code}
    [created] = saleor_a.calls_of("voucherCreate")
    assert created["variables"]["input"]["addCodes"] == [message.coupon_code]
    text = email.get_body(("plain",)).get_content()
    html = email.get_body(("html",)).get_content()
    assert message.coupon_code in text and message.coupon_code in html
    assert "Linen & Co" in email["Subject"] + text
    assert "1470 Pinewood Avenue" in text and "MICHIGAN, MI 49855" in text
    assert "Kim" in text
    # every link goes back to the app, in this tenant and channel
    base = f"http://app.test/t/{tenant_a.pk}/campaigns/{CHANNEL}/"
    unsubscribe = email["List-Unsubscribe"].strip(" <>")
    assert unsubscribe.startswith(base + "unsubscribe/")
    [click] = {link for link in links_in(html) if "/click/" in link}
    assert click.startswith(base + "click/")

    # when: Kim follows the button, then unsubscribes with one click
    followed = client.get(urlsplit(click).path)
    left = client.post(urlsplit(unsubscribe).path)

    # then: the click lands on her checkout in the storefront and is counted,
    # and she is unsubscribed in this tenant's channel
    assert followed.status_code == 302
    assert followed["Location"].startswith(
        f"https://shop.example.com/checkout/{p.CHECKOUT_TOKEN}?"
    )
    assert left.status_code == 200
    with activated(tenant_a):
        assert CampaignClick.objects.filter(message=message).count() == 1
        assert list(
            CampaignUnsubscribe.objects.values_list("channel", "customer__user_id")
        ) == [(CHANNEL, "42")]
