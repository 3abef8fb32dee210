"""One spec for every channel setting, read the same way by every host."""

from dataclasses import replace

import pytest

from example_store.host import ExampleStoreHost
from saleor_journey_plugin import configuration
from saleor_journey_plugin.core.fields import FieldKind
from saleor_journey_plugin.core.presets import Language
from saleor_journey_plugin.saleor_adapter import config


def test_every_field_can_be_rendered_and_its_default_is_valid():
    fields = configuration.fields()

    # then: a form has what it needs for each field
    assert len({field.name for field in fields}) == len(fields) == 34
    for field in fields:
        assert field.label and field.help.endswith((".", ")")), field.name
        assert field.read(None) == field.read(field.default)
    assert configuration.errors({}) == {}
    choices = {field.name: field.choices for field in fields if field.choices}
    assert choices == {
        "stage_preset": ("standard", "five_stage", "hubspot", "marketing_funnel"),
        "label_language": ("en", "ko"),
        "audience": ("all", "subscribers_only"),
    }
    kinds = {kind: [f.name for f in fields if f.kind is kind] for kind in FieldKind}
    assert kinds[FieldKind.SECRET] == ["review_webhook_secrets"]
    assert kinds[FieldKind.BOOLEAN] == [
        "count_new_accounts",
        "loyalty_enabled",
        "abandoned_checkout_enabled",
        "win_back_enabled",
        "review_request_enabled",
    ]


def test_saleors_configuration_is_generated_from_the_spec():
    fields = configuration.fields()

    # then: the same fields, in the same order, with the same words
    assert list(config.HELP) == [field.name for field in fields]
    assert config.HELP["lapse_after_days"] == (
        "Lapse after (days)",
        "A customer with no paid order for this many days after buying is moved "
        "to At risk (LAPSED). 1 to 3650.",
    )
    structure = config.config_structure(
        {kind: kind.value.upper() for kind in FieldKind}
    )
    assert structure["review_webhook_secrets"]["type"] == "SECRET"
    assert structure["win_back_body"]["type"] == "MULTILINE"
    assert structure["loyalty_enabled"] == {
        "type": "BOOLEAN",
        "label": "Loyalty points",
        "help_text": "Customers earn points for paid orders and verified reviews, "
        "and turn them into voucher codes.",
    }


def test_the_example_store_reads_its_channels_as_the_dashboard_does(settings):
    # given: a channel of the example store, its fields as the settings file
    # writes them (short names, sections, numbers and booleans)
    settings.JOURNEY_CHANNELS = {
        "web-krw": {
            "preset": "five_stage",
            "language": "ko",
            "lapse_after_days": 60,
            "count_new_accounts": False,
            "time_zone": "Asia/Seoul",
            "currency": "KRW",
            "loyalty": {"loyalty_enabled": True, "review_points": 70},
            "campaigns": {
                "win_back_enabled": "true",
                "checkout_url_template": "https://shop.example.kr/c?t={token}",
            },
        }
    }
    saved = [
        {"name": "stage_preset", "value": "five_stage"},
        {"name": "label_language", "value": "ko"},
        {"name": "lapse_after_days", "value": "60"},
        {"name": "count_new_accounts", "value": False},
        {"name": "time_zone", "value": "Asia/Seoul"},
        {"name": "loyalty_enabled", "value": True},
        {"name": "review_points", "value": "70"},
        {"name": "win_back_enabled", "value": True},
        {
            "name": "checkout_url_template",
            "value": "https://shop.example.kr/c?t={token}",
        },
    ]

    # when
    found = ExampleStoreHost().channel_settings("web-krw")

    # then: the very settings Saleor's saved configuration gives
    assert found == replace(config.channel_settings(saved), currency="KRW")
    assert found is not None and found.campaigns is not None
    assert (found.language, found.lapse_after_days) == (Language.KO, 60)
    assert [kind.value for kind in found.campaigns.enabled] == ["win_back"]


@pytest.mark.parametrize(
    ("name", "value", "default"),
    [("lapse_after_days", "0", 90), ("time_zone", "Mars/Olympus", "UTC")],
)
def test_the_example_store_runs_a_bad_value_with_its_default(
    settings, name, value, default
):
    # given
    settings.JOURNEY_CHANNELS = {"web-usd": {name: value}}

    # when
    found = ExampleStoreHost().channel_settings("web-usd")

    # then
    assert getattr(found, name) == default
