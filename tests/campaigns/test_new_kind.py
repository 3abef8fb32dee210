"""A fourth campaign kind is its class and its templates, and nothing else.

The kind below lives only in this file and in ``kind_templates/``: the
engine schedules it from its trigger, sends it, sends its click to its own
page, reports it and ends it with no other module naming it. A kind that
leaves out a part is refused when its class is defined.
"""

from datetime import date, timedelta
from pathlib import Path

import pytest

from saleor_journey_plugin.campaigns.actions import click
from saleor_journey_plugin.campaigns.kinds import CampaignKind, base, kinds, named
from saleor_journey_plugin.campaigns.kinds.base import storefront_page
from saleor_journey_plugin.campaigns.models import CampaignClick, CampaignMessage
from saleor_journey_plugin.campaigns.report import compute_campaigns
from saleor_journey_plugin.campaigns.sweep import sweep
from saleor_journey_plugin.campaigns.tokens import click_token
from saleor_journey_plugin.core.events import EventType as E
from saleor_journey_plugin.core.fields import Field, http_url
from saleor_journey_plugin.models import JourneyEvent
from saleor_journey_plugin.reports import Period
from saleor_journey_plugin.saleor_adapter import config

from ..conftest import T0
from .conftest import event

HOUR = timedelta(hours=1)
MARCH = Period(date(2026, 3, 1), date(2026, 4, 1))
SAM = {"email": "sam.lee@example.com", "user_id": "42"}
PRODUCT_URL = "product_url_template"
TEMPLATES = Path(__file__).resolve().parent / "kind_templates"


@pytest.fixture
def registry(monkeypatch):
    """Kinds defined in a test are forgotten after it."""
    monkeypatch.setattr(base, "_KINDS", dict(base._KINDS))


@pytest.fixture
def product_interest(registry):
    class ProductInterest(CampaignKind):
        value = "product_interest"
        label = "Product interest"
        position = 4
        triggers = frozenset({E.PRODUCT_VIEWED})
        default_steps = "2h"
        needs_checkout = False
        reschedules = True
        templates = TEMPLATES

        def subjects(self, events):
            # One campaign per customer and product.
            return {
                e.pk: f"{e.customer_id}:{product}"
                for e in events
                if (product := (e.payload or {}).get("product"))
            }

        def ended(self, messages):
            ordered = set(
                JourneyEvent.objects.filter(
                    type=E.ORDER_PLACED.value,
                    customer_id__in=[m.customer_id for m in messages],
                ).values_list("customer_id", flat=True)
            )
            return {
                m.pk: "An order was placed."
                for m in messages
                if m.customer_id in ordered
            }

        def link(self, subject, campaigns):
            product = subject.partition(":")[2]
            return storefront_page(campaigns.options[PRODUCT_URL], "{product}", product)

        def fields(self):
            return [
                Field(
                    PRODUCT_URL,
                    default="",
                    label="Product URL",
                    help="The storefront's product page with {product}.",
                    parse=http_url("{product}"),
                )
            ]

        def required(self):
            return {PRODUCT_URL: "{product}"}

    return named("product_interest")


@pytest.fixture
def interest_on(product_interest, channels):
    channels(
        product_interest_enabled="true",
        product_url_template="https://shop.example.com/products/{product}",
    )


@pytest.mark.django_db
def test_a_fourth_kind_is_scheduled_sent_followed_and_reported(interest_on, inbox):
    # given: Sam (a known account) looks at a product
    event(E.ACCOUNT_CREATED, "user:42:created", at=T0 - HOUR, channel="", **SAM)
    event(E.PRODUCT_VIEWED, "view:1", product="p-7", **SAM)

    # when
    early = sweep(now=T0 + HOUR)
    due = sweep(now=T0 + 2 * HOUR)

    # then: one step, sent with the kind's own template
    assert (early, due) == ({}, {"sent": 1})
    [message] = CampaignMessage.objects.all()
    assert (message.kind, message.subject, message.step, message.status) == (
        "product_interest",
        f"{message.customer_id}:p-7",
        1,
        "sent",
    )
    [mail] = inbox.messages
    assert mail["Subject"] == "Still thinking about it?"
    assert "The product you looked at in Example Store is waiting." in (
        mail.get_body(("plain",)).get_content()
    )

    # when: Sam clicks
    location = click(click_token(message.pk), "web-usd", now=T0 + 3 * HOUR)

    # then: to the kind's own page, tagged as its campaign
    assert location == (
        "https://shop.example.com/products/p-7?utm_source=journey&utm_medium=email"
        "&utm_campaign=product_interest"
    )
    assert CampaignClick.objects.filter(message=message).count() == 1

    # and the report has a row for it, after the three shipped kinds
    report = compute_campaigns("web-usd", MARCH, currency="USD")
    assert [row.kind.value for row in report.kinds] == [
        "abandoned_checkout",
        "win_back",
        "review_request",
        "product_interest",
    ]
    [row] = [row for row in report.kinds if row.kind.label == "Product interest"]
    assert (row.totals.sent, row.totals.clicked, row.totals.reminded_checkouts) == (
        1,
        1,
        0,
    )
    assert [step.step for step in row.steps] == [1]
    assert (report.totals.sent, report.totals.clicked) == (1, 1)


@pytest.mark.django_db
def test_the_fourth_kinds_end_and_switch_are_its_own(interest_on, inbox, channels):
    # given: two products viewed, then an order
    event(E.ACCOUNT_CREATED, "user:42:created", at=T0 - HOUR, channel="", **SAM)
    event(E.PRODUCT_VIEWED, "view:1", product="p-7", **SAM)
    event(E.ORDER_PLACED, "order:1:placed", at=T0 + HOUR, order_id="1", **SAM)

    # when
    outcome = sweep(now=T0 + 2 * HOUR)

    # then: its own end condition cancelled it
    assert outcome == {"cancelled": 1}
    assert CampaignMessage.objects.get().last_error == "An order was placed."
    assert inbox.messages == []

    # when: switched on without its page
    channels(product_interest_enabled="true")
    event(E.PRODUCT_VIEWED, "view:2", product="p-8", **SAM)

    # then: it stays off, as a kind without its link does
    assert CampaignMessage.objects.count() == 1


def test_the_fourth_kind_brings_its_dashboard_fields(product_interest):
    # when
    found = config.errors([{"name": "product_interest_enabled", "value": True}])

    # then: its switch, steps and URL are checked like the others
    assert found == {
        "checkout_url_template": "checkout_url_template is required when a "
        "campaign is on: an http(s) URL with {token}.",
        "product_url_template": "product_url_template is required when a "
        "campaign is on: an http(s) URL with {product}.",
    }
    assert config.errors([{"name": "product_interest_steps", "value": "soon"}]) == {
        "product_interest_steps": "Cannot read step 'soon'; use comma-separated "
        "steps, each a delay in minutes, hours or days (30m, 24h, 7d) with an "
        "optional coupon (:10% off, or :5 off in the channel currency), e.g. "
        "'1h, 24h:10%, 72h'."
    }


def test_a_kind_that_leaves_out_a_part_is_refused_when_defined(registry):
    # when: no link, and nothing said about checkouts
    with pytest.raises(TypeError) as error:

        class Careless(CampaignKind):
            value = "careless"
            label = "Careless"
            position = 9
            triggers = frozenset({E.PRODUCT_VIEWED})
            default_steps = "1h"
            reschedules = False

            def subjects(self, events):
                return {}

            def ended(self, messages):
                return {}

    # then
    assert str(error.value) == (
        "Campaign kind Careless does not say: needs_checkout, link."
    )
    assert [kind.value for kind in kinds()] == [
        "abandoned_checkout",
        "win_back",
        "review_request",
    ]


def test_a_kind_without_its_templates_or_with_a_taken_name_is_refused(registry):
    class Parts:
        label = "Parts"
        position = 9
        triggers = frozenset({E.PRODUCT_VIEWED})
        default_steps = "1h"
        needs_checkout = False
        reschedules = False

        def subjects(self, events):
            return {}

        def ended(self, messages):
            return {}

        def link(self, subject, campaigns):
            return ""

    # when: no template files of its name
    with pytest.raises(TypeError) as missing:
        type("Untemplated", (Parts, CampaignKind), {"value": "untemplated"})
    # when: the name of a shipped kind
    with pytest.raises(TypeError) as taken:
        type("Impostor", (Parts, CampaignKind), {"value": "win_back"})

    # then
    assert str(missing.value).startswith("Campaign kind Untemplated: ")
    assert "en/untemplated_subject.hbs" in str(missing.value)
    assert str(taken.value) == "Two campaign kinds are called 'win_back'."
    assert "untemplated" not in {kind.value for kind in kinds()}
