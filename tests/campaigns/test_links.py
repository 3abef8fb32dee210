"""The links in a campaign email: one-click unsubscribe and the click redirect."""

import re
from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client

from saleor_journey_plugin.campaigns.audience import is_unsubscribed
from saleor_journey_plugin.campaigns.models import (
    CampaignClick,
    CampaignMessage,
    CampaignUnsubscribe,
)
from saleor_journey_plugin.campaigns.sweep import sweep
from saleor_journey_plugin.campaigns.tokens import UNSUBSCRIBE_SALT, click_token
from saleor_journey_plugin.core.events import EventType as E
from saleor_journey_plugin.core.identity import merge_into
from saleor_journey_plugin.core.processing import drain
from saleor_journey_plugin.models import Customer, JourneyEvent

from ..conftest import T0
from .channels import STORE_URL
from .conftest import checkout, event

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)
JANE = {"email": "jane.doe@example.com"}


@pytest.fixture
def sent(channels, inbox):
    """Jane's first reminder, sent; its links as the email gives them."""
    checkout("t1")
    event(E.CHECKOUT_STARTED, "checkout:t1:started", checkout="t1", **JANE)
    sweep(now=T0 + HOUR)
    [mail] = inbox.messages
    unsubscribe = mail["List-Unsubscribe"].strip()[1:-1]
    text = mail.get_body(("plain",)).get_content()
    click = re.search(r"Complete your order: (\S+)", text)[1]
    return unsubscribe.removeprefix(STORE_URL), click.removeprefix(STORE_URL)


def scheduled():
    return CampaignMessage.objects.filter(status="scheduled").count()


def test_a_one_click_post_unsubscribes_without_signing_in(sent):
    unsubscribe, _ = sent

    # when: the mail client POSTs as RFC 8058 says
    response = Client().post(
        unsubscribe,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    again = Client().post(unsubscribe)

    # then
    assert (response.status_code, again.status_code) == (200, 200)
    assert b"You are unsubscribed" in response.content
    assert CampaignUnsubscribe.objects.filter(channel="web-usd").count() == 1
    assert scheduled() == 0
    assert set(
        CampaignMessage.objects.filter(step__gt=1).values_list("status", flat=True)
    ) == {"cancelled"}
    [unsubscribed] = JourneyEvent.objects.filter(type="UNSUBSCRIBED")
    assert (
        unsubscribed.touch_channel,
        unsubscribed.utm_source,
        unsubscribed.utm_medium,
        unsubscribed.utm_campaign,
    ) == ("EMAIL", "journey", "email", "abandoned_checkout")
    drain()
    unsubscribed.refresh_from_db()
    assert unsubscribed.customer.email == "jane.doe@example.com"
    assert unsubscribed.processed_at is not None


def test_a_get_shows_a_confirmation_button_and_changes_nothing(sent):
    unsubscribe, _ = sent

    # when
    response = Client().get(unsubscribe)

    # then
    assert response.status_code == 200
    assert b'<form method="post"><button type="submit">Unsubscribe</button>' in (
        response.content
    )
    assert CampaignUnsubscribe.objects.count() == 0
    assert scheduled() == 2


def tampered(unsubscribe: str, **change) -> str:
    """The link with its payload changed and the original signature kept."""
    token = unsubscribe.rstrip("/").rsplit("/", 1)[1]
    payload, signature = token.split(":", 1)
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    forged = signing.b64_encode(
        signing.JSONSerializer().dumps({**data, **change})
    ).decode()
    assert forged != payload
    return unsubscribe.replace(token, f"{forged}:{signature}")


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_forged_or_tampered_token_is_refused_and_nothing_changes(sent, method):
    unsubscribe, _ = sent
    other = CampaignMessage.objects.get(step=2)
    links = [
        "/campaigns/web-usd/unsubscribe/not-a-token/",
        # another customer's id under Jane's signature
        tampered(unsubscribe, c=other.customer_id + 1),
        tampered(unsubscribe, m=other.pk),
        # a valid token presented in another channel
        unsubscribe.replace("/web-usd/", "/web-krw/"),
    ]

    # when
    codes = [getattr(Client(), method)(link).status_code for link in links]

    # then
    assert codes == [400, 400, 400, 400]
    assert CampaignUnsubscribe.objects.count() == 0
    assert not JourneyEvent.objects.filter(type="UNSUBSCRIBED").exists()
    assert scheduled() == 2


def merged_into_an_account() -> Customer:
    """Jane, the guest the reminder went to, merged into her account."""
    guest = Customer.objects.get(email=JANE["email"], user_id__isnull=True)
    account = Customer.objects.create(user_id="9", email=JANE["email"])
    merge_into(guest, account)
    return account


def test_the_link_keeps_working_after_the_guest_is_merged_into_an_account(sent):
    unsubscribe, _ = sent
    account = merged_into_an_account()

    # when
    response = Client().post(unsubscribe)

    # then: the account the guest became is unsubscribed
    assert response.status_code == 200
    assert list(CampaignUnsubscribe.objects.values_list("customer_id")) == [
        (account.pk,)
    ]
    assert is_unsubscribed(account.pk, "web-usd")
    assert scheduled() == 0


def test_a_tampered_link_still_changes_nothing_after_a_merge(sent):
    unsubscribe, _ = sent
    merged_into_an_account()
    other = CampaignMessage.objects.get(step=2)

    # when
    response = Client().post(tampered(unsubscribe, m=other.pk))

    # then
    assert response.status_code == 400
    assert not CampaignUnsubscribe.objects.exists()
    assert scheduled() == 2


def test_a_link_made_before_tokens_named_the_message_only_still_works(sent):
    # given: a token as emails sent by earlier versions carry (with "c")
    message = CampaignMessage.objects.get(step=1)
    old = signing.dumps(
        {"c": message.customer_id, "ch": "web-usd", "m": message.pk},
        salt=UNSUBSCRIBE_SALT,
        compress=True,
    )

    # when
    response = Client().post(f"/campaigns/web-usd/unsubscribe/{old}/")

    # then
    assert response.status_code == 200
    assert is_unsubscribed(message.customer_id, "web-usd")


def test_an_unsubscribed_customer_gets_nothing_more(sent, inbox):
    unsubscribe, _ = sent
    Client().post(unsubscribe)

    # when
    outcome = sweep(now=T0 + 100 * HOUR)

    # then
    assert outcome == {}
    assert len(inbox.messages) == 1


def test_a_click_is_counted_and_redirected_to_the_checkout_with_utm(sent):
    _, click = sent

    # when: with a next= a phisher might add
    response = Client().get(click, {"next": "https://evil.example.com/"})

    # then
    assert response.status_code == 302
    assert response["Location"] == (
        "https://shop.example.com/checkout?token=t1&utm_source=journey"
        "&utm_medium=email&utm_campaign=abandoned_checkout"
    )
    assert CampaignClick.objects.count() == 1
    [clicked] = JourneyEvent.objects.filter(type="EMAIL_CLICKED")
    assert (clicked.touch_channel, clicked.utm_campaign, clicked.customer_id) == (
        "EMAIL",
        "abandoned_checkout",
        CampaignMessage.objects.get(step=1).customer_id,
    )


def test_a_forged_click_token_redirects_nowhere(sent):
    _, click = sent
    message = CampaignMessage.objects.get(step=1)

    # when
    responses = [
        Client().get("/campaigns/web-usd/click/evil.example.com/"),
        Client().get(click.replace("/click/", "/click/x")),
        Client().get(f"/campaigns/web-krw/click/{click_token(message.pk)}/"),
    ]

    # then
    assert [r.status_code for r in responses] == [400, 400, 400]
    assert CampaignClick.objects.count() == 0


def test_review_and_win_back_links_go_to_their_own_pages(channels):
    # given
    review = CampaignMessage.objects.create(
        channel="web-usd",
        kind="review_request",
        subject="77",
        step=1,
        triggered_at=T0,
        due_at=T0,
    )
    win_back = CampaignMessage.objects.create(
        channel="web-usd",
        kind="win_back",
        subject="5",
        step=1,
        triggered_at=T0,
        due_at=T0,
    )

    # when
    locations = [
        Client().get(f"/campaigns/web-usd/click/{click_token(m.pk)}/")["Location"]
        for m in (review, win_back)
    ]

    # then
    assert locations == [
        "https://shop.example.com/orders/77/review?utm_source=journey"
        "&utm_medium=email&utm_campaign=review_request",
        "https://shop.example.com/?utm_source=journey&utm_medium=email"
        "&utm_campaign=win_back",
    ]
