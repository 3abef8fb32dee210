"""End to end with a real Celery worker: a webhook's events are processed in
their tenant's schema and the stage lands in that Saleor's metadata, written
with that Saleor's token; the other tenant sees nothing."""

import subprocess
from collections.abc import Iterator

import pytest
from django.db import connection
from django.utils import timezone

from saleor_journey_app.celery import app as celery_app
from saleor_journey_app.tenants.models import Tenant
from saleor_journey_app.tenants.schemas import activated, create_schema
from saleor_journey_plugin.models import Journey

from ..celery_worker import running_worker, wait_until
from . import payloads as p
from .conftest import deliver, gid
from .fake_saleor import FakeSaleor

pytestmark = pytest.mark.e2e


@pytest.fixture
def worker(django_db_blocker) -> Iterator[subprocess.Popen]:
    with running_worker(
        "tests.app.settings", app=celery_app, app_path="saleor_journey_app.celery:app"
    ) as process:
        yield process


@pytest.fixture
def committed_tenant(
    django_db_blocker, saleor_b
) -> Iterator[tuple[Tenant, FakeSaleor]]:
    """A third Saleor installed for real (committed), removed afterwards."""
    saleor = FakeSaleor(token="token-of-saleor-c-Wt55", app_id="QXBwOjM=").start()
    with django_db_blocker.unblock():
        tenant = Tenant.objects.create(
            saleor_api_url=saleor.api_url,
            app_token=saleor.token,
            saleor_app_id=saleor.app_id,
            channels={p.CHANNEL: {"currency": "USD"}},
            registered_at=timezone.now(),
        )
        create_schema(tenant)
        try:
            yield tenant, saleor
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA "{tenant.schema}" CASCADE')
            tenant.delete()
            saleor.stop()


def test_a_webhook_moves_the_stage_and_writes_it_to_its_saleor(
    worker, committed_tenant, saleor_b, django_db_blocker, client
):
    tenant, saleor = committed_tenant
    body = p.event("OrderCreated", order=p.order())
    with django_db_blocker.unblock():
        assert deliver(client, saleor, "order-created", body).status_code == 200

        wait_until(lambda: saleor.calls_of("updateMetadata"), "the metadata write")
        with activated(tenant):
            assert list(Journey.objects.values_list("channel", "stage")) == [
                (p.CHANNEL, "PURCHASE")
            ]

    (write,) = saleor.calls_of("updateMetadata")
    assert write["token"] == saleor.token
    assert write["variables"] == {
        "id": gid("User", 42),
        "input": [
            {"key": "journey_stage", "value": "purchase"},
            {"key": "journey_stage.default-channel", "value": "purchase"},
        ],
    }
    assert saleor_b.calls == []
