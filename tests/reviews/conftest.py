"""Signed deliveries to the example store's review webhook."""

import json
import time

import pytest

from saleor_journey_plugin.reviews.signature import sign

CHANNEL = "web-usd"
# A plain secret: the base64 of its key, "test-review-secret-0123456789".
SECRET = "dGVzdC1yZXZpZXctc2VjcmV0LTAxMjM0NTY3ODk="
# A Standard Webhooks secret: its key is the base64-decoded part (24 bytes).
WHSEC = "whsec_" + "MDEyMzQ1Njc4OWFiY2RlZmdoaWprbG1u"
URL = f"/plugins/channel/{CHANNEL}/saleor.journey/webhooks/reviews/"
REVIEW = {
    "review_id": "rv-1001",
    "rating": 5,
    "email": "Ann@Example.com ",
    "title": "Lovely mug",
    "body": "Keeps the coffee hot.",
    "product": "MUG-RED",
    "order": "1042",
    "created_at": "2026-03-10T12:00:00+00:00",
    "photos": 2,
}


@pytest.fixture(autouse=True)
def review_secrets(settings):
    """web-usd takes reviews signed with SECRET; web-krw has no secret."""
    settings.JOURNEY_CHANNELS = {
        **settings.JOURNEY_CHANNELS,
        CHANNEL: {
            **settings.JOURNEY_CHANNELS[CHANNEL],
            "review_webhook_secrets": SECRET,
        },
    }
    return settings


def use_secrets(settings, *secrets):
    settings.JOURNEY_CHANNELS = {
        **settings.JOURNEY_CHANNELS,
        CHANNEL: {
            **settings.JOURNEY_CHANNELS[CHANNEL],
            "review_webhook_secrets": " ".join(secrets),
        },
    }


def body_of(review=None, **changes):
    return json.dumps({**(review or REVIEW), **changes}).encode()


def signed_headers(body, *, secret=SECRET, webhook_id="msg_1", timestamp=None):
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, webhook_id, timestamp, body),
    }


def post(client, body, headers=None, *, url=URL, **signing):
    """POST ``body`` signed (unless ``headers`` are given) and decode the answer."""
    if headers is None:
        headers = signed_headers(body, **signing)
    response = client.post(
        url, data=body, content_type="application/json", headers=headers
    )
    return response.status_code, json.loads(response.content)
