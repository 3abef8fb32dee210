"""The loyalty dashboard fields: names, defaults, and what each accepts."""

from decimal import Decimal

import pytest

from saleor_journey_plugin.loyalty.settings import LoyaltySettings, Tier
from saleor_journey_plugin.saleor_adapter import config

TIERS_HELP = (
    "Tiers must be name:threshold:multiplier, comma separated, e.g. "
    "'Bronze:0:1, Silver:500:1.25, Gold:1500:1.5': "
)


def field(name, value):
    return [{"name": name, "value": value}]


def test_defaults_are_the_documented_ones_and_loyalty_is_off():
    # when: a channel whose configuration never named a loyalty field
    loyalty = config.channel_settings([]).loyalty

    # then
    assert loyalty == LoyaltySettings(
        enabled=False,
        points_per_unit=1,
        point_value=Decimal("0.01"),
        min_redeem_points=500,
        review_points=50,
        points_expire_days=365,
        tiers=(
            Tier("Bronze", 0, Decimal(1)),
            Tier("Silver", 500, Decimal("1.25")),
            Tier("Gold", 1500, Decimal("1.5")),
        ),
    )
    assert config.errors([]) == {}


def test_saved_values_are_read_with_decimals_for_money_and_multipliers():
    # given: what Saleor stores after a pluginUpdate (the switch is a boolean)
    saved = [
        {"name": "loyalty_enabled", "value": True},
        {"name": "points_per_unit", "value": " 3 "},
        {"name": "point_value", "value": "0.005"},
        {"name": "min_redeem_points", "value": "200"},
        {"name": "review_points", "value": "0"},
        {"name": "points_expire_days", "value": "0"},
        {"name": "tiers", "value": "Member:0:1,VIP : 1000 : 2.05"},
    ]

    # when
    found = config.errors(saved)
    loyalty = config.channel_settings(saved).loyalty

    # then
    assert found == {}
    assert loyalty == LoyaltySettings(
        enabled=True,
        points_per_unit=3,
        point_value=Decimal("0.005"),
        min_redeem_points=200,
        review_points=0,
        points_expire_days=0,
        tiers=(Tier("Member", 0, Decimal(1)), Tier("VIP", 1000, Decimal("2.05"))),
    )


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "loyalty_enabled",
            "yes",
            "Loyalty enabled must be true or false, got 'yes'.",
        ),
        (
            "points_per_unit",
            "1.5",
            "Points per unit must be a whole number from 0 to 1000, got '1.5'.",
        ),
        (
            "points_per_unit",
            "1001",
            "Points per unit must be a whole number from 0 to 1000, got '1001'.",
        ),
        (
            "min_redeem_points",
            "0",
            "Minimum redemption must be a whole number from 1 to 1000000, got '0'.",
        ),
        (
            "review_points",
            "-50",
            "Review points must be a whole number from 0 to 1000000, got '-50'.",
        ),
        (
            "points_expire_days",
            "²",
            "Points expire days must be a whole number from 0 to 3650, got '²'.",
        ),
        (
            "points_expire_days",
            "3651",
            "Points expire days must be a whole number from 0 to 3650, got '3651'.",
        ),
        (
            "point_value",
            "0",
            "Point value must be a number greater than 0 with at most 4 decimals, "
            "e.g. 0.01, got '0'.",
        ),
        (
            "point_value",
            "0.00001",
            "Point value must be a number greater than 0 with at most 4 decimals, "
            "e.g. 0.01, got '0.00001'.",
        ),
        (
            "point_value",
            "NaN",
            "Point value must be a number greater than 0 with at most 4 decimals, "
            "e.g. 0.01, got 'NaN'.",
        ),
        (
            "tiers",
            "Bronze:0:1, Bronze:500:1.25",
            TIERS_HELP + "the name 'Bronze' is used twice.",
        ),
        (
            "tiers",
            "Bronze:0:1, bronze:500:1.25",
            TIERS_HELP + "the name 'bronze' is used twice.",
        ),
        ("tiers", "Bronze:10:1", TIERS_HELP + "the first tier must start at 0."),
        (
            "tiers",
            "Bronze:0:1, Silver:500:1.25, Gold:500:1.5",
            TIERS_HELP + "the threshold of Gold must be above Silver's.",
        ),
        (
            "tiers",
            "Bronze:0:1, Silver:500:0.5",
            TIERS_HELP + "the multiplier of Silver must be from 1 to 10 with at "
            "most 2 decimals.",
        ),
        (
            "tiers",
            "Bronze:0:1, Silver:500:1.255",
            TIERS_HELP + "the multiplier of Silver must be from 1 to 10 with at "
            "most 2 decimals.",
        ),
        (
            "tiers",
            "Bronze:0:1, Silver:-5:1.25",
            TIERS_HELP + "the threshold of Silver is not a whole number.",
        ),
        (
            "tiers",
            "Bronze:0",
            TIERS_HELP + "'Bronze:0' is not name:threshold:multiplier.",
        ),
        ("tiers", "Bronze:0:1,", TIERS_HELP + "'' is not name:threshold:multiplier."),
        (
            "tiers",
            ":0:1",
            TIERS_HELP + "'' is not a tier name (1 to 32 characters).",
        ),
    ],
)
def test_each_bad_value_gets_a_message_saying_what_is_allowed(name, value, message):
    # when
    found = config.errors(field(name, value))

    # then: a field error, never an exception
    assert found == {name: message}


def test_a_stale_bad_value_falls_back_to_its_default():
    # given: a value saved before the checks existed
    saved = field("tiers", "Gold:1500:1.5, Bronze:0:1") + field("loyalty_enabled", True)

    # when
    loyalty = config.channel_settings(saved).loyalty

    # then
    assert loyalty is not None
    assert loyalty.enabled is True
    assert [tier.name for tier in loyalty.tiers] == ["Bronze", "Silver", "Gold"]


def test_the_dashboard_shows_loyalty_enabled_as_a_switch():
    assert "loyalty_enabled" in config.BOOLEAN_FIELDS
    assert set(config.HELP) >= {
        "loyalty_enabled",
        "points_per_unit",
        "point_value",
        "min_redeem_points",
        "review_points",
        "points_expire_days",
        "tiers",
    }
