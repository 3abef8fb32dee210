"""The review service's webhook, served by the app per tenant: a review is
checked against that tenant's channel secret and lands in that tenant only."""

import json
import time

from saleor_journey_app.tenants.schemas import activated
from saleor_journey_plugin.reviews.models import Review
from saleor_journey_plugin.reviews.signature import sign

from .conftest import CHANNEL

# Base64 keys, as the channels' review_webhook_secrets field holds them.
SECRET_A = "dGVzdC1yZXZpZXctc2VjcmV0LWEtMDEyMzQ1Njc4OQ=="
SECRET_B = "dGVzdC1yZXZpZXctc2VjcmV0LWItMDEyMzQ1Njc4OQ=="
BODY = json.dumps(
    {
        "review_id": "rv-1001",
        "rating": 4,
        "email": "kim@example.com",
        "title": "Soft linen",
        "body": "Fits well.",
        "created_at": "2026-03-10T12:00:00+00:00",
    }
).encode()


def with_secret(tenant, secret: str) -> None:
    tenant.channels = {
        CHANNEL: {**tenant.channels[CHANNEL], "review_webhook_secrets": secret}
    }
    tenant.save(update_fields=["channels"])


def post_review(client, tenant, secret: str):
    now = int(time.time())
    return client.post(
        f"/t/{tenant.pk}/reviews/{CHANNEL}/",
        data=BODY,
        content_type="application/json",
        headers={
            "webhook-id": "msg_1",
            "webhook-timestamp": str(now),
            "webhook-signature": sign(secret, "msg_1", now, BODY),
        },
    )


def test_a_review_lands_in_the_tenant_whose_secret_signed_it(
    client, tenant_a, tenant_b
):
    # given: each Saleor's channel takes reviews signed with its own secret
    with_secret(tenant_a, SECRET_A)
    with_secret(tenant_b, SECRET_B)

    # when: the review service posts a review signed for A, to A and to B
    to_a = post_review(client, tenant_a, SECRET_A)
    to_b = post_review(client, tenant_b, SECRET_A)

    # then: A stores it; B refuses it and stores nothing
    assert (to_a.status_code, to_a.json()["status"]) == (200, "created")
    assert to_b.status_code == 401
    with activated(tenant_a):
        assert list(Review.objects.values_list("review_id", "rating")) == [
            ("rv-1001", 4)
        ]
    with activated(tenant_b):
        assert Review.objects.count() == 0
