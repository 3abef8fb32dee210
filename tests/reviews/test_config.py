"""The review_webhook_secrets dashboard field, checked like the other settings."""

import pytest

from saleor_journey_plugin.saleor_adapter import config

from .conftest import SECRET, WHSEC

NOT_BASE64 = (
    "Secret 1 is not base64: write the key in base64, optionally after whsec_, "
    "as Standard Webhooks services give it (a passphrase used before becomes "
    "whsec_ and its base64)."
)


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
            "c2hvcnQta2V5",
            "Secret 1's key is 9 bytes; each secret needs at least 24 bytes (32 "
            "base64 characters).",
        ),
        (
            f"{SECRET} {'x' * 31}",
            "Secret 2's key is 23 bytes; each secret needs at least 24 bytes (32 "
            "base64 characters).",
        ),
        ("whsec_not/base64!at-all-here", NOT_BASE64),
        # A passphrase read as its own bytes before; the standard reads base64.
        ("test-review-secret-0123456789", NOT_BASE64),
        # URL-safe base64: the library would skip "-" and "_", another key.
        ("MDEyMzQ1Njc4OWFi-2RlZmdoaWprbG1u", NOT_BASE64),
        (f"whsec_{'A' * 33}", NOT_BASE64),
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
