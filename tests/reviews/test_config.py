"""The review_webhook_secrets dashboard field, checked like the other settings."""

import pytest

from saleor_journey_plugin.saleor_adapter import config

from .conftest import SECRET, WHSEC


def secrets(value):
    return [{"name": "review_webhook_secrets", "value": value}]


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ("", ()),
        ("   ", ()),
        (SECRET, (SECRET,)),
        (f" {SECRET}  {WHSEC} ", (SECRET, WHSEC)),
    ],
)
def test_secrets_are_separated_by_spaces_and_may_be_empty(value, parsed):
    # when
    found = config.errors(secrets(value))
    settings = config.channel_settings(secrets(value))

    # then
    assert found == {}
    assert settings.review_webhook_secrets == parsed


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "short-secret",
            "Secret 1 is 12 characters long; each secret needs at least 24.",
        ),
        (
            f"{SECRET} {'x' * 23}",
            "Secret 2 is 23 characters long; each secret needs at least 24.",
        ),
        (
            "whsec_not/base64!at-all-here",
            "Secret 1 starts with whsec_ but the rest is not base64.",
        ),
    ],
)
def test_a_short_or_broken_secret_is_a_field_error(value, message):
    # when
    found = config.errors(secrets(value))
    settings = config.channel_settings(secrets(value))

    # then: the error names no secret; a stale bad value means no secret at all
    assert found == {"review_webhook_secrets": message}
    assert settings.review_webhook_secrets == ()


def test_no_secret_is_set_by_default():
    # when
    settings = config.channel_settings([])

    # then
    assert settings.review_webhook_secrets == ()
    assert {"name": "review_webhook_secrets", "value": ""} in (
        config.dashboard_defaults()
    )
