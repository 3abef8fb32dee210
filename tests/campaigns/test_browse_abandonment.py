"""Browse abandonment: a subscriber who looked at products and left."""

from datetime import timedelta

import pytest
from django.core.cache import cache

from example_store.host import issue_token
from saleor_journey_plugin.campaigns.models import CampaignMessage
from saleor_journey_plugin.campaigns.sweep import sweep
from saleor_journey_plugin.core.events import EventType as E
from saleor_journey_plugin.core.processing import drain
from saleor_journey_plugin.models import JourneyEvent
from saleor_journey_plugin.saleor_adapter import config

from ..conftest import T0
from ..graphql.api import graphql
from .conftest import event

pytestmark = pytest.mark.django_db

MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
SAM = {"email": "sam.lee@example.com", "user_id": "42"}
PRODUCT_PAGE = "https://shop.example.com/products/{slug}"
UTM = "utm_source=journey&utm_medium=email&utm_campaign=browse_abandonment"
TRACK = """
mutation($input: JourneyTrackInput!) {
  trackJourneyEvent(input: $input) { recorded }
}
"""
REPORT = """
query($from: Date!, $to: Date!) {
  journeyReport(from: $from, to: $to) {
    campaigns { kinds { kind totals { sent clicked } steps { step } } }
  }
}
"""


@pytest.fixture
def browse_on(channels):
    channels(
        browse_abandonment_enabled="true",
        browse_abandonment_product_url_template=PRODUCT_PAGE,
    )


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def account(*, subscriber: bool = True, who=SAM) -> None:
    user = who["user_id"]
    event(E.ACCOUNT_CREATED, f"user:{user}:created", at=T0 - DAY, channel="", **who)
    if subscriber:
        event(E.NEWSLETTER_OPT_IN, f"user:{user}:opt-in", at=T0 - DAY, **who)


def view(key: str, product: str, at=T0, who=SAM, **payload) -> None:
    event(E.PRODUCT_VIEWED, key, at=at, product_id=product, **payload, **who)


def two_products_viewed() -> None:
    view("view:1", "canvas-tote", at=T0)
    view("view:2", "linen-shirt", at=T0 + 10 * MINUTE)
    view("view:3", "linen-shirt", at=T0 + 20 * MINUTE)


def html(mail) -> str:
    return mail.get_body(("html",)).get_content()


def text(mail) -> str:
    return mail.get_body(("plain",)).get_content()


def test_a_subscriber_who_viewed_two_products_gets_one_email_with_both(
    browse_on, inbox
):
    # given
    account()
    two_products_viewed()

    # when: four hours after the first view, then after the last
    early = sweep(now=T0 + 4 * HOUR)
    due = sweep(now=T0 + 4 * HOUR + 20 * MINUTE)

    # then: one step, due four hours after the last view
    assert (early, due) == ({}, {"sent": 1})
    [message] = CampaignMessage.objects.all()
    assert (message.kind, message.step, message.status, message.email) == (
        "browse_abandonment",
        1,
        "sent",
        "sam.lee@example.com",
    )
    assert message.subject == f"{message.customer_id}:2026-03-01"
    assert message.triggered_at == T0 + 20 * MINUTE
    # and the email, on the SMTP server, shows both, the most viewed first
    [mail] = inbox.messages
    assert mail["To"] == "sam.lee@example.com"
    assert mail["Subject"] == (
        "Still thinking it over? What you looked at in Example Store"
    )
    lines = text(mail).splitlines()
    clicks = "https://journey.example.com/campaigns/web-usd/click/"
    assert [line for line in lines[:10] if not line.startswith(clicks)] == [
        "Hi there,",
        "",
        "Thanks for stopping by Example Store. Here is what caught your eye, "
        "in case you want another look.",
        "",
        "Linen shirt: $59.00",
        "",
        "Canvas tote: $18.00",
        "",
    ]
    # each product's link and the button go through the click link
    assert lines[5].startswith(clicks) and lines[8].startswith(clicks)
    assert lines[10].startswith("Continue shopping: " + clicks)
    body = html(mail)
    assert body.index("Linen shirt") < body.index("Canvas tote")
    assert body.count(">See it again</a>") == 2


def test_a_click_on_a_product_is_counted_and_lands_on_its_page(
    browse_on, inbox, client
):
    # given: the email of two products viewed
    account()
    two_products_viewed()
    sweep(now=T0 + 5 * HOUR)
    [mail] = inbox.messages
    base = "https://journey.example.com"
    shirt, tote = [
        line.removeprefix(base)
        for line in text(mail).splitlines()
        if line.startswith(f"{base}/campaigns/web-usd/click/")
    ]

    # when: Sam follows the tote's link, then someone swaps the product in a
    # link's token
    followed = client.get(tote)
    token = tote.rstrip("/").rsplit("/", 1)[1]
    payload, _, signature = token.partition(":")
    forged = client.get(tote.replace(token, f"{payload[:-4]}AAAA:{signature}"))

    # then: the click is counted once, on the email, and lands on the tote's
    # page tagged as the campaign's; the forged link goes nowhere
    assert followed.status_code == 302
    assert followed["Location"] == (
        f"https://shop.example.com/products/canvas-tote?{UTM}"
    )
    assert forged.status_code == 400
    [message] = CampaignMessage.objects.all()
    assert list(message.clicks.values_list("message_id", flat=True)) == [message.pk]
    assert JourneyEvent.objects.filter(type=E.EMAIL_CLICKED.value).count() == 1
    assert shirt != tote


def test_at_most_three_products_the_most_viewed_first(browse_on, inbox):
    # given: four products, viewed 1, 3, 2 and 2 times (the later of a tie first)
    account()
    views = ["silk-scarf", "denim-jacket", "denim-jacket", "leather-belt"]
    views += ["denim-jacket", "leather-belt", "canvas-tote", "canvas-tote"]
    for number, product in enumerate(views):
        view(f"view:{number}", product, at=T0 + number * MINUTE)

    # when
    assert sweep(now=T0 + 5 * HOUR) == {"sent": 1}

    # then
    [mail] = inbox.messages
    shown = [line for line in text(mail).splitlines() if ": $" in line]
    assert [line.partition(":")[0] for line in shown] == [
        "Denim jacket",
        "Canvas tote",
        "Leather belt",
    ]


def test_a_customer_without_an_opt_in_gets_nothing_even_with_audience_all(
    browse_on, inbox, channels
):
    # given: audience all, a customer who never opted in
    channels(
        browse_abandonment_enabled="true",
        browse_abandonment_product_url_template=PRODUCT_PAGE,
        audience="all",
    )
    account(subscriber=False)
    two_products_viewed()

    # when
    outcome = sweep(now=T0 + 5 * HOUR)

    # then
    assert outcome == {"skipped": 1}
    assert CampaignMessage.objects.get().last_error == "No marketing opt-in on record."
    assert inbox.messages == []


def test_an_unsubscribe_after_the_opt_in_ends_it(browse_on, inbox):
    # given
    account()
    two_products_viewed()
    event(E.UNSUBSCRIBED, "user:42:unsubscribed", at=T0 + HOUR, **SAM)

    # when / then
    assert sweep(now=T0 + 5 * HOUR) == {"cancelled": 1}
    assert inbox.messages == []


@pytest.mark.parametrize(
    ("event_type", "fields", "reason"),
    [
        (E.CHECKOUT_STARTED, {"checkout": "c-1"}, "The customer started a checkout."),
        (E.ORDER_PLACED, {"order_id": "1"}, "An order was placed."),
    ],
)
def test_a_checkout_or_an_order_after_the_views_ends_it(
    browse_on, inbox, event_type, fields, reason
):
    # given
    account()
    two_products_viewed()
    event(event_type, "later", at=T0 + HOUR, **fields, **SAM)

    # when
    sweep(now=T0 + 5 * HOUR)

    # then
    message = CampaignMessage.objects.get(kind="browse_abandonment")
    assert (message.status, message.last_error) == ("cancelled", reason)
    assert inbox.messages == []


def test_an_order_before_the_views_does_not_end_it(browse_on, inbox):
    # given: an order in the morning, then browsing
    account()
    event(E.ORDER_PLACED, "order:1:placed", at=T0 - HOUR, order_id="1", **SAM)
    two_products_viewed()

    # when / then
    assert sweep(now=T0 + 5 * HOUR) == {"sent": 1}


def test_the_payloads_words_never_reach_the_email(browse_on, inbox):
    # given: a view whose payload names a product the store sells, with a
    # forged name, price and picture, and a made-up product
    account()
    view(
        "view:1",
        "linen-shirt",
        name="<b>FREE iPhone</b>",
        price="0.01",
        image_url="https://evil.example.net/x.png",
        url="https://evil.example.net/",
    )
    view("view:2", "<script>alert(1)</script>", at=T0 + MINUTE)
    view("view:3", "<script>alert(1)</script>", at=T0 + 2 * MINUTE)

    # when
    assert sweep(now=T0 + 5 * HOUR) == {"sent": 1}

    # then: the store's name, price and page, and nothing else
    [mail] = inbox.messages
    for part in (html(mail), text(mail)):
        assert "Linen shirt" in part
        assert "$59.00" in part
        for forged in ("FREE", "0.01", "evil", "<script", "alert"):
            assert forged not in part


def test_only_made_up_products_send_nothing(browse_on, inbox):
    # given
    account()
    view("view:1", "Free iPhone")

    # when / then
    assert sweep(now=T0 + 5 * HOUR) == {"cancelled": 1}
    assert CampaignMessage.objects.get().last_error == (
        "None of the viewed products is on sale in the channel."
    )
    assert inbox.messages == []


def test_an_anonymous_visitor_schedules_nothing_whatever_address_it_types(
    browse_on, inbox, client
):
    # given: Sam, a subscriber; a visitor who types Sam's address and views
    account()
    answer = graphql(
        client,
        TRACK,
        {
            "input": {
                "eventType": "PRODUCT_VIEWED",
                "eventId": "v-1",
                "visitorId": "0b7c6f5e-visitor-eve",
                "email": "sam.lee@example.com",
                "productId": "linen-shirt",
            }
        },
    ).json()
    drain()

    # when
    outcome = sweep(now=T0 + 30 * DAY)

    # then
    assert answer == {"data": {"trackJourneyEvent": {"recorded": True}}}
    assert JourneyEvent.objects.filter(type="PRODUCT_VIEWED").count() == 1
    assert (outcome, CampaignMessage.objects.count(), inbox.messages) == ({}, 0, [])


def test_a_signed_in_customers_tracked_view_sends(browse_on, inbox, client):
    # given: Sam looks at a product, signed in, through the storefront API
    account()
    answer = graphql(
        client,
        TRACK,
        {
            "input": {
                "eventType": "PRODUCT_VIEWED",
                "eventId": "v-1",
                "productId": "merino-sweater",
            }
        },
        token=issue_token(**SAM),
    ).json()
    drain()
    [viewed] = JourneyEvent.objects.filter(type="PRODUCT_VIEWED")

    # when
    outcome = sweep(now=viewed.occurred_at + 4 * HOUR)

    # then
    assert answer == {"data": {"trackJourneyEvent": {"recorded": True}}}
    assert outcome == {"sent": 1}
    assert "Merino sweater" in text(inbox.messages[0])


def test_a_replayed_view_and_later_sweeps_send_nothing_more(browse_on, inbox):
    # given: the email went
    account()
    two_products_viewed()
    assert sweep(now=T0 + 5 * HOUR) == {"sent": 1}

    # when: the same view again, a new view that day, and next day's browsing
    with pytest.raises(AssertionError):
        view("view:3", "linen-shirt", at=T0 + 20 * MINUTE)  # not recorded twice
    view("view:4", "silk-scarf", at=T0 + 6 * HOUR)
    view("view:5", "silk-scarf", at=T0 + DAY)
    outcomes = [sweep(now=T0 + 11 * HOUR), sweep(now=T0 + 2 * DAY)]

    # then: one email in the week
    assert outcomes == [{}, {"cancelled": 1}]
    assert len(inbox.messages) == 1
    assert sorted(CampaignMessage.objects.values_list("status", "last_error")) == [
        ("cancelled", "A browse reminder went to the customer within a week."),
        ("sent", ""),
    ]


def test_browsing_a_week_later_sends_again(browse_on, inbox):
    # given
    account()
    two_products_viewed()
    assert sweep(now=T0 + 5 * HOUR) == {"sent": 1}

    # when
    view("view:8", "silk-scarf", at=T0 + 8 * DAY)

    # then
    assert sweep(now=T0 + 8 * DAY + 4 * HOUR) == {"sent": 1}
    assert "Silk scarf" in text(inbox.messages[1])


def test_korean_channel_and_its_figures_in_the_report(browse_on, inbox, client):
    # given: Sam browses the Korean channel
    account()
    korean = {**SAM, "channel": "web-krw"}
    event(E.NEWSLETTER_OPT_IN, "opt-in-krw", at=T0 - DAY, **korean)
    view("view:1", "linen-shirt", who=korean)

    # when
    assert sweep(now=T0 + 5 * HOUR) == {"sent": 1}

    # then: the Korean template, in won
    [mail] = inbox.messages
    # (the parser keeps a space from the encoded header's folding)
    assert mail["Subject"].strip() == "[예시 스토어] 살펴보신 상품을 다시 모아 두었어요"
    assert "Linen shirt: ₩69,000" in text(mail)
    # and its row in journeyReport.campaigns, after the three first kinds
    answer = graphql(
        client,
        REPORT,
        {"from": "2026-03-01", "to": "2026-04-01"},
        token=issue_token(permissions=["MANAGE_ORDERS"]),
        channel="web-krw",
    ).json()
    rows = answer["data"]["journeyReport"]["campaigns"]["kinds"]
    assert [(r["kind"], r["totals"], len(r["steps"])) for r in rows] == [
        ("ABANDONED_CHECKOUT", {"sent": 0, "clicked": 0}, 3),
        ("WIN_BACK", {"sent": 0, "clicked": 0}, 2),
        ("REVIEW_REQUEST", {"sent": 0, "clicked": 0}, 1),
        ("BROWSE_ABANDONMENT", {"sent": 1, "clicked": 0}, 1),
    ]


def test_on_without_its_product_page_it_stays_off(channels, inbox):
    # given: switched on with no product URL
    channels(browse_abandonment_enabled="true")
    account()
    two_products_viewed()

    # then: nothing scheduled; the dashboard asks for the URL
    assert CampaignMessage.objects.count() == 0
    found = config.errors(
        [
            {"name": "browse_abandonment_enabled", "value": True},
            {"name": "checkout_url_template", "value": "https://s.example/c/{token}"},
        ]
    )
    assert found == {
        "browse_abandonment_product_url_template": "browse_abandonment_product_"
        "url_template is required when a campaign is on: an http(s) URL with {slug}."
    }


def test_off_by_default(channels, inbox):
    # given: the default settings (the other kinds on)
    account()
    two_products_viewed()

    # then
    assert CampaignMessage.objects.count() == 0
