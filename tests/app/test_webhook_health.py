"""Webhook health per tenant, for the configuration page: the last delivery
(noted at most once a minute per process, off the hot path otherwise), and
the deliveries refused in the last 24 hours with the last reason."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from saleor_journey_app.webhooks import health
from saleor_journey_app.webhooks.health import webhook_health
from saleor_journey_app.webhooks.models import WebhookFailureHour, WebhookHealth

from . import payloads as p
from .conftest import deliver
from .fake_saleor import SigningKey

ORDER = p.event("OrderCreated", order=p.order())


@pytest.fixture(autouse=True)
def _no_delivery_noted():
    health.forget_deliveries()


def health_statements(queries) -> list[str]:
    tables = (WebhookHealth._meta.db_table, WebhookFailureHour._meta.db_table)
    return [q["sql"] for q in queries if any(t in q["sql"] for t in tables)]


def test_a_tenant_that_never_heard_from_saleor(tenant_a):
    assert webhook_health(tenant_a) == {
        "last_delivery_at": None,
        "failures_24h": 0,
        "last_failure": None,
    }


def test_a_delivery_is_noted_once_a_minute(client, saleor_a, tenant_a):
    before = timezone.now()
    with CaptureQueriesContext(connection) as first:
        assert deliver(client, saleor_a, "order-created", ORDER).status_code == 200
    noted = webhook_health(tenant_a)
    assert before <= noted["last_delivery_at"] <= timezone.now()
    assert (noted["failures_24h"], noted["last_failure"]) == (0, None)
    assert len(health_statements(first.captured_queries)) == 1

    with CaptureQueriesContext(connection) as second:
        assert deliver(client, saleor_a, "order-created", ORDER).status_code == 200
    assert health_statements(second.captured_queries) == []
    assert webhook_health(tenant_a) == noted


def test_with_no_throttle_each_delivery_moves_the_time(
    client, saleor_a, tenant_a, settings
):
    settings.APP_WEBHOOK_HEALTH_SECONDS = 0
    deliver(client, saleor_a, "order-created", ORDER)
    first = webhook_health(tenant_a)["last_delivery_at"]
    deliver(client, saleor_a, "order-created", ORDER)
    assert webhook_health(tenant_a)["last_delivery_at"] > first


def test_refusals_are_counted_with_the_last_reason(
    client, saleor_a, tenant_a, tenant_b, settings
):
    forged = SigningKey.new("key-1")
    assert (
        deliver(client, saleor_a, "order-created", ORDER, key=forged).status_code == 401
    )
    assert (
        deliver(client, saleor_a, "order-created", ORDER, signature=" ").status_code
        == 401
    )
    broken = p.event("OrderCancelled", order=p.order())
    assert deliver(client, saleor_a, "order-created", broken).status_code == 400
    found = webhook_health(tenant_a)
    assert found["failures_24h"] == 3
    assert found["last_failure"]["reason"] == (
        "Not a payload the subscription sends: order-created"
    )
    assert found["last_delivery_at"] is None

    settings.APP_MAX_WEBHOOK_BYTES = 100
    with CaptureQueriesContext(connection) as refused:
        assert deliver(client, saleor_a, "order-created", ORDER).status_code == 401
    assert len(health_statements(refused.captured_queries)) == 1
    found = webhook_health(tenant_a)
    assert found["failures_24h"] == 4
    assert found["last_failure"]["reason"] == "Body over the size limit"
    assert timezone.now() - found["last_failure"]["at"] < timedelta(minutes=1)
    # Saleor B heard nothing of it.
    assert webhook_health(tenant_b)["failures_24h"] == 0


def test_a_bad_signatures_reason_says_why(client, saleor_a, tenant_a):
    deliver(client, saleor_a, "order-created", ORDER, key=SigningKey.new("key-1"))
    assert webhook_health(tenant_a)["last_failure"]["reason"] == (
        "Signature not verified: signature does not verify (BadSignatureError)"
    )


def test_a_delivery_naming_no_tenant_is_noted_nowhere(client, saleor_a, tenant_a):
    deliver(
        client, saleor_a, "order-created", ORDER, api_url="http://evil.test/graphql/"
    )
    assert WebhookFailureHour.objects.count() == 0
    assert WebhookHealth.objects.count() == 0


def test_hours_older_than_a_day_are_not_counted_and_older_than_two_go(tenant_a):
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    for hours_ago, failures in [(23, 5), (24, 7), (49, 11)]:
        WebhookFailureHour.objects.create(
            tenant=tenant_a, hour=hour - timedelta(hours=hours_ago), failures=failures
        )
    assert webhook_health(tenant_a)["failures_24h"] == 5
    health.failed(tenant_a, health.PAYLOAD)
    assert webhook_health(tenant_a)["failures_24h"] == 6
    assert sorted(WebhookFailureHour.objects.values_list("failures", flat=True)) == [
        1,
        5,
        7,
    ]
