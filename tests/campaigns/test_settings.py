"""The campaign dashboard fields: names, defaults, and what a bad value gets."""

from datetime import timedelta
from decimal import Decimal

import pytest

from saleor_journey_plugin.campaigns import settings as campaign_settings
from saleor_journey_plugin.campaigns.kinds import kinds
from saleor_journey_plugin.campaigns.kinds.abandoned_checkout import ABANDONED_CHECKOUT
from saleor_journey_plugin.campaigns.kinds.review_request import REVIEW_REQUEST
from saleor_journey_plugin.campaigns.kinds.win_back import WIN_BACK
from saleor_journey_plugin.campaigns.settings import QuietHours
from saleor_journey_plugin.campaigns.steps import (
    Coupon,
    Step,
    StepError,
    parse_steps,
)
from saleor_journey_plugin.core.presets import Language
from saleor_journey_plugin.saleor_adapter import config

ON = [
    {"name": "abandoned_checkout_enabled", "value": True},
    {"name": "checkout_url_template", "value": "https://shop.example.com/c/{token}"},
]


def test_the_default_steps_read_as_the_table_says():
    assert parse_steps("1h, 24h:10%, 72h") == (
        Step(timedelta(hours=1)),
        Step(timedelta(hours=24), Coupon(Decimal(10), percentage=True)),
        Step(timedelta(hours=72)),
    )
    assert parse_steps("0h:15%, 14d") == (
        Step(timedelta(0), Coupon(Decimal(15), percentage=True)),
        Step(timedelta(days=14)),
    )
    assert parse_steps("30m:5,7d") == (
        Step(timedelta(minutes=30), Coupon(Decimal(5), percentage=False)),
        Step(timedelta(days=7)),
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Give at least one step"),
        ("1w", "Cannot read step '1w'"),
        ("1h:10", None),
        ("1h:%", "Cannot read step '1h:%'"),
        ("1h:0%", "Step '1h:0%': a coupon is more than 0"),
        ("1h:101%", "Step '1h:101%': a coupon is more than 0"),
        ("24h, 1h", "Step '1h' must come later than the step before it"),
        ("1h, 1h", "Step '1h' must come later than the step before it"),
        ("400d", "Step '400d' waits longer than 365 days."),
        ("1h,,2h", "Cannot read step ''"),
    ],
)
def test_bad_steps_say_what_is_wrong(text, message):
    if message is None:
        assert parse_steps(text)
        return
    with pytest.raises(StepError) as error:
        parse_steps(text)
    assert str(error.value).startswith(message)


def test_campaign_defaults_are_the_dashboard_contract():
    defaults = {d["name"]: d["value"] for d in config.dashboard_defaults()}

    campaign_fields = [name for name in defaults if name in campaign_settings.DEFAULTS]
    assert {name: defaults[name] for name in campaign_fields} == {
        "abandoned_checkout_enabled": False,
        "win_back_enabled": False,
        "review_request_enabled": False,
        "abandoned_checkout_steps": "1h, 24h:10%, 72h",
        "win_back_steps": "0h:15%, 14d",
        "review_request_steps": "7d",
        "coupon_valid_days": "7",
        "audience": "all",
        "min_hours_between_emails": "24",
        "quiet_hours": "",
        "attribution_days": "7",
        "checkout_url_template": "",
        "review_url_template": "",
        "sender_email": "",
        "email_logo_url": "",
        "abandoned_checkout_subject": "",
        "abandoned_checkout_body": "",
        "win_back_subject": "",
        "win_back_body": "",
        "review_request_subject": "",
        "review_request_body": "",
    }
    assert {
        f"{kind.value}_{part}" for kind in kinds() for part in ("subject", "body")
    } == config.MULTILINE_FIELDS
    assert {
        "abandoned_checkout_enabled",
        "win_back_enabled",
        "review_request_enabled",
    } <= config.BOOLEAN_FIELDS


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "win_back_steps",
            "soon",
            "Cannot read step 'soon'; use comma-separated steps, each a delay in "
            "minutes, hours or days (30m, 24h, 7d) with an optional coupon (:10% "
            "off, or :5 off in the channel currency), e.g. '1h, 24h:10%, 72h'.",
        ),
        (
            "coupon_valid_days",
            "0",
            "coupon_valid_days must be a whole number from 1 to 365, got '0'.",
        ),
        (
            "min_hours_between_emails",
            "-1",
            "min_hours_between_emails must be a whole number from 0 to 720, got '-1'.",
        ),
        (
            "attribution_days",
            "seven",
            "attribution_days must be a whole number from 1 to 90, got 'seven'.",
        ),
        (
            "audience",
            "everyone",
            "Unknown audience 'everyone'; use all or subscribers_only.",
        ),
        (
            "quiet_hours",
            "21-25",
            "Cannot read quiet hours '21-25'; write start-end hours from 0 to 23, "
            "e.g. 21-9, or leave it empty.",
        ),
        (
            "checkout_url_template",
            "javascript:alert(1)//{token}",
            "checkout_url_template must be an http(s) URL with {token}, got "
            "'javascript:alert(1)//{token}'.",
        ),
        (
            "checkout_url_template",
            "https://shop.example.com/cart",
            "checkout_url_template must be an http(s) URL with {token}, got "
            "'https://shop.example.com/cart'.",
        ),
        (
            "review_url_template",
            "https://shop.example.com/review",
            "review_url_template must be an http(s) URL with {order}, got "
            "'https://shop.example.com/review'.",
        ),
        (
            "sender_email",
            "shop at example",
            "sender_email must be an email address, optionally with a name "
            "('Shop <shop@example.com>'), got 'shop at example'.",
        ),
        (
            "abandoned_checkout_enabled",
            "perhaps",
            "abandoned_checkout_enabled must be true or false, got 'perhaps'.",
        ),
    ],
)
def test_a_bad_campaign_field_is_a_field_error_saying_what_is_allowed(
    name, value, message
):
    # when
    found = config.errors([{"name": name, "value": value}])

    # then
    assert found == {name: message}


def test_a_template_that_does_not_compile_or_render_is_a_field_error():
    # when
    found = config.errors(
        [
            {"name": "win_back_subject", "value": "{{#if coupon_code}}{{/each}}"},
            {"name": "review_request_body", "value": "{{shout customer_name}}"},
            {"name": "abandoned_checkout_body", "value": "<p>{{customer_name}}</p>"},
        ]
    )

    # then
    assert set(found) == {"win_back_subject", "review_request_body"}
    assert found["win_back_subject"].startswith("The template does not compile")
    assert found["review_request_body"] == (
        "The template does not render: Could not find property shout. Write "
        "Handlebars, e.g. 'Hello {{customer_name}}'."
    )
    assert found["win_back_subject"].endswith(
        "Write Handlebars, e.g. 'Hello {{customer_name}}'."
    )


def test_a_campaign_needs_the_checkout_url_and_a_review_request_the_review_url():
    # when
    found = config.errors(
        [
            {"name": "win_back_enabled", "value": True},
            {"name": "review_request_enabled", "value": True},
        ]
    )

    # then
    assert found == {
        "checkout_url_template": "checkout_url_template is required when a "
        "campaign is on: an http(s) URL with {token}.",
        "review_url_template": "review_url_template is required when a campaign "
        "is on: an http(s) URL with {order}.",
    }
    assert config.errors(ON) == {}


def test_saved_fields_reach_the_channel_settings():
    # given
    saved = [
        *ON,
        {"name": "label_language", "value": "ko"},
        {"name": "quiet_hours", "value": "21-9"},
        {"name": "min_hours_between_emails", "value": "0"},
        {"name": "audience", "value": "subscribers_only"},
        {"name": "abandoned_checkout_steps", "value": "2h:5, 2d"},
        {"name": "win_back_subject", "value": "  {{store_name}} misses you  "},
    ]

    # when
    campaigns = config.channel_settings(saved).campaigns

    # then
    assert campaigns.enabled == {ABANDONED_CHECKOUT}
    assert campaigns.quiet_hours == QuietHours(21, 9)
    assert (campaigns.min_hours_between_emails, campaigns.audience) == (
        0,
        "subscribers_only",
    )
    assert campaigns.steps[ABANDONED_CHECKOUT] == (
        Step(timedelta(hours=2), Coupon(Decimal(5), percentage=False)),
        Step(timedelta(days=2)),
    )
    assert campaigns.language is Language.KO
    assert campaigns.template(WIN_BACK, "subject") == "{{store_name}} misses you"
    assert campaigns.template(REVIEW_REQUEST, "subject") == (
        "[{{store_name}}] 주문하신 상품은 마음에 드셨나요?"
    )


def test_a_stale_bad_value_falls_back_and_a_kind_without_its_url_stays_off():
    # given: values saved before the checks existed
    saved = [
        {"name": "abandoned_checkout_enabled", "value": True},
        {"name": "review_request_enabled", "value": True},
        {"name": "checkout_url_template", "value": "https://s.example.com/{token}"},
        {"name": "coupon_valid_days", "value": "forever"},
    ]

    # when
    campaigns = config.channel_settings(saved).campaigns

    # then
    assert campaigns.enabled == {ABANDONED_CHECKOUT}
    assert campaigns.coupon_valid_days == 7
    assert config.channel_settings([]).campaigns.enabled == frozenset()
