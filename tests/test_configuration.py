"""The dashboard settings' checks (the Saleor plugin answers them as field errors)."""

import pytest

from saleor_journey_plugin.saleor_adapter import config


def lapse(value):
    return [{"name": "lapse_after_days", "value": value}]


@pytest.mark.parametrize(
    "value", ["²", "٣٠", "\uff11\uff12", "0", "3651", "-5", "1e3", "9" * 40]
)
def test_lapse_after_days_takes_ascii_whole_numbers_from_1_to_3650(value):
    # when
    found = config.errors(lapse(value))

    # then: a field error, never an exception
    assert found == {
        "lapse_after_days": "Lapse after days must be a whole number from 1 to "
        f"3650, got '{value}'."
    }


@pytest.mark.parametrize(("value", "days"), [("1", 1), (" 60 ", 60), ("3650", 3650)])
def test_valid_lapse_after_days_is_used(value, days):
    # when
    found = config.errors(lapse(value))
    settings = config.channel_settings(lapse(value))

    # then
    assert found == {}
    assert settings.lapse_after_days == days


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "time_zone",
            "Mars/Olympus",
            "Unknown time zone 'Mars/Olympus'; use an IANA name such as UTC, "
            "Europe/Berlin or Asia/Seoul.",
        ),
        (
            "time_zone",
            "../../etc/passwd",
            "Unknown time zone '../../etc/passwd'; use an IANA name such as UTC, "
            "Europe/Berlin or Asia/Seoul.",
        ),
        (
            "count_new_accounts",
            "maybe",
            "Count new accounts must be true or false, got 'maybe'.",
        ),
    ],
)
def test_time_zone_and_count_new_accounts_are_checked(name, value, message):
    # when
    found = config.errors([{"name": name, "value": value}])

    # then
    assert found == {name: message}


def test_channel_settings_read_the_time_zone_and_the_new_accounts_switch():
    # given: what Saleor stores after a pluginUpdate (a switch is a boolean)
    saved = [
        {"name": "time_zone", "value": "Asia/Seoul"},
        {"name": "count_new_accounts", "value": False},
    ]

    # when
    settings = config.channel_settings(saved)

    # then
    assert (settings.time_zone, settings.count_new_accounts) == ("Asia/Seoul", False)
    assert config.channel_settings([]).time_zone == "UTC"
    assert config.channel_settings([]).count_new_accounts is True


def test_dashboard_defaults_give_the_switch_as_a_boolean():
    # given: the journey's, the loyalty's and the review webhook's fields (the
    # campaign fields are in tests/campaigns/test_settings.py)
    defaults = {d["name"]: d["value"] for d in config.dashboard_defaults()}
    expected = {
        "stage_preset": "standard",
        "label_language": "en",
        "lapse_after_days": "90",
        "count_new_accounts": True,
        "time_zone": "UTC",
        "loyalty_enabled": False,
        "points_per_unit": "1",
        "point_value": "0.01",
        "min_redeem_points": "500",
        "review_points": "50",
        "points_expire_days": "365",
        "tiers": "Bronze:0:1, Silver:500:1.25, Gold:1500:1.5",
        "review_webhook_secrets": "",
    }

    # then
    assert {name: defaults[name] for name in expected} == expected
    assert list(defaults)[:5] == list(expected)[:5]
