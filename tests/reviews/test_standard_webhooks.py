"""Interoperability with the official Standard Webhooks library.

A review service signing with ``standardwebhooks`` (PyPI) reads every secret
as base64, with or without the ``whsec_`` prefix and its padding; deliveries
it signs reach the example store's webhook over HTTP, and what the plugin
signs (the demo, the docs) the library verifies.
"""

import base64
import time
from datetime import UTC, datetime

import pytest
from standardwebhooks import Webhook

from saleor_journey_plugin.reviews.models import Review
from saleor_journey_plugin.reviews.signature import sign

from .conftest import body_of, post, use_secrets

# Keys as `openssl rand -base64 32` or a service's dashboard hands them out.
UNPREFIXED = base64.b64encode(bytes(range(7, 39))).decode()
PREFIXED = "whsec_" + base64.b64encode(bytes(range(100, 132))).decode()
# 25 bytes: base64 ends in "==", which some services leave out.
UNPADDED = "whsec_" + base64.b64encode(bytes(range(50, 75))).decode().rstrip("=")
SECRETS = pytest.mark.parametrize(
    "secret", [UNPREFIXED, PREFIXED, UNPADDED], ids=["plain", "whsec_", "unpadded"]
)
CREATED = {"status": "created", "review_id": "rv-1001", "version": 1, "verified": False}


def library_headers(secret, body, webhook_id):
    now = datetime.now(UTC)
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign(webhook_id, now, body),
    }


@SECRETS
def test_a_review_signed_by_the_official_library_is_accepted(
    db, client, settings, secret
):
    # given: the channel holds the secret the service was given
    use_secrets(settings, secret)
    body = body_of()

    # when
    status, answer = post(client, body, library_headers(secret, body, "msg_lib"))

    # then
    assert (status, answer) == (200, CREATED)
    assert list(Review.objects.values_list("review_id", flat=True)) == ["rv-1001"]


def test_while_rotating_library_signed_deliveries_verify_under_either_secret(
    db, client, settings
):
    # given: the new secret set next to the old one
    use_secrets(settings, UNPREFIXED, PREFIXED)

    # when: the service signs one delivery with each, then the old one is removed
    answers = []
    for secret, review_id in ((UNPREFIXED, "rv-old"), (PREFIXED, "rv-new")):
        body = body_of(review_id=review_id)
        answers.append(post(client, body, library_headers(secret, body, review_id))[0])
    use_secrets(settings, PREFIXED)
    late = body_of(review_id="rv-late")
    answers.append(post(client, late, library_headers(UNPREFIXED, late, "rv-late"))[0])

    # then
    assert answers == [200, 200, 401]
    assert sorted(Review.objects.values_list("review_id", flat=True)) == [
        "rv-new",
        "rv-old",
    ]


@SECRETS
def test_what_the_plugin_signs_the_official_library_verifies(secret):
    # given
    body = body_of()
    now = int(time.time())
    headers = {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(now),
        "webhook-signature": sign(secret, "msg_1", now, body),
    }

    # when / then: verify raises WebhookVerificationError on a mismatch
    assert Webhook(secret).verify(body, headers, json_parse=False) is None
