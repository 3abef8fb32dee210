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
