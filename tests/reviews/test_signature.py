"""Standard Webhooks verification as pure functions."""

import base64
import hashlib
import hmac

import pytest
from standardwebhooks import Webhook

from saleor_journey_plugin.reviews.signature import (
    SignatureError,
    SignedDelivery,
    secret_key,
    sign,
    verify,
)

from .conftest import SECRET, WHSEC

NOW = 1_773_000_000
BODY = b'{"review_id": "rv-1", "rating": 4, "email": "ann@example.com"}'


def headers(signature, *, webhook_id="msg_1", timestamp=NOW):
    return {
        "Webhook-Id": webhook_id,
        "Webhook-Timestamp": str(timestamp),
        "Webhook-Signature": signature,
    }


def test_the_signature_is_hmac_sha256_over_id_timestamp_and_body():
    # given: the digest computed by hand, under the secret's base64-decoded key
    digest = hmac.new(
        b"test-review-secret-0123456789",
        b"msg_1." + str(NOW).encode() + b"." + BODY,
        hashlib.sha256,
    ).digest()

    # when
    signature = sign(SECRET, "msg_1", NOW, BODY)

    # then
    assert signature == "v1," + base64.b64encode(digest).decode()


@pytest.mark.parametrize(
    "secret",
    [
        WHSEC,
        "MDEyMzQ1Njc4OWFiY2RlZmdoaWprbG1u",
        "whsec_MDEyMzQ1Njc4OWFiY2RlZmdoaWprbG0=",
        "whsec_MDEyMzQ1Njc4OWFiY2RlZmdoaWprbG0",
    ],
    ids=["whsec_", "no prefix", "padded", "unpadded"],
)
def test_a_secret_signs_with_its_base64_decoded_key_as_the_library_reads_it(secret):
    # when
    key = secret_key(secret)

    # then: the key the official library derives from the same text
    assert key is not None
    assert key.startswith(b"0123456789abcdefghijklm")
    assert key == Webhook(secret)._whsecret


@pytest.mark.parametrize(
    "secret",
    [
        "test-review-secret-0123456789",
        "whsec_not/base64!",
        "MDEy_zQ1",
        "whsec_",
        "A" * 33,
    ],
)
def test_a_secret_that_is_not_base64_has_no_key_and_verifies_nothing(secret):
    # when
    with pytest.raises(SignatureError) as refused:
        verify(headers(sign(SECRET, "msg_1", NOW, BODY)), BODY, [secret], NOW)

    # then
    assert secret_key(secret) is None
    assert refused.value.reason == "No signature matches: wrong secret or altered body."


def test_one_matching_entry_among_several_is_enough():
    # given: an asymmetric entry and a stale one before the good one
    signature = " ".join(
        ["v1a,c29tZXRoaW5n", "v1,AAAA", sign(SECRET, "msg_1", NOW, BODY)]
    )

    # when
    delivery = verify(headers(signature), BODY, [WHSEC, SECRET], NOW)

    # then
    assert delivery == SignedDelivery(webhook_id="msg_1", timestamp=NOW)


@pytest.mark.parametrize("offset", [-300, 300])
def test_a_timestamp_five_minutes_away_is_still_accepted(offset):
    # given
    signature = sign(SECRET, "msg_1", NOW + offset, BODY)

    # when
    delivery = verify(headers(signature, timestamp=NOW + offset), BODY, [SECRET], NOW)

    # then
    assert delivery.timestamp == NOW + offset


@pytest.mark.parametrize(
    ("mangle", "reason"),
    [
        (
            lambda h: {**h, "Webhook-Id": "x" * 256},
            "Malformed webhook-id header: at most 255 printable characters.",
        ),
        (
            lambda h: {**h, "Webhook-Timestamp": "-1"},
            "Malformed webhook-timestamp header: Unix seconds expected.",
        ),
        (
            lambda h: {**h, "Webhook-Timestamp": "1" * 13},
            "Malformed webhook-timestamp header: Unix seconds expected.",
        ),
        (
            lambda h: {**h, "Webhook-Signature": "v1"},
            "Malformed webhook-signature header: space-separated v1,<base64> "
            "entries expected.",
        ),
        (
            lambda h: {**h, "Webhook-Signature": "  "},
            "Missing webhook-signature header.",
        ),
        (
            lambda h: {**h, "Webhook-Id": "msg_2"},
            "No signature matches: wrong secret or altered body.",
        ),
    ],
)
def test_malformed_or_altered_headers_are_refused(mangle, reason):
    # given
    good = headers(sign(SECRET, "msg_1", NOW, BODY))

    # when
    with pytest.raises(SignatureError) as refused:
        verify(mangle(good), BODY, [SECRET], NOW)

    # then
    assert refused.value.reason == reason


def test_without_secrets_nothing_verifies():
    # when
    with pytest.raises(SignatureError) as refused:
        verify(headers(sign(SECRET, "msg_1", NOW, BODY)), BODY, [], NOW)

    # then
    assert refused.value.reason == (
        "No review webhook secret is set for this channel: every delivery is refused."
    )
