"""Installing: POST /api/register stores the token per Saleor, once Saleor
confirms it; refused Saleors store nothing; the token is never logged;
APP_DELETED forgets it."""

import json
import logging

import pytest
from django.db import connection

from saleor_journey_app.tenants.models import Tenant

from . import payloads as p
from .conftest import deliver
from .fake_saleor import FakeSaleor

TOKEN = "fresh-app-token-9Qx3vL"


@pytest.fixture
def newcomer():
    saleor = FakeSaleor(token=TOKEN, app_id="QXBwOjc=").start()
    yield saleor
    saleor.stop()


def register(client, api_url: str, token: str = TOKEN, **extra):
    return client.post(
        "/api/register",
        data=json.dumps({"auth_token": token}),
        content_type="application/json",
        HTTP_SALEOR_API_URL=api_url,
        **extra,
    )


def schema_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [name])
        return cursor.fetchone() is not None


def test_a_confirmed_token_makes_a_tenant_with_its_schema(client, db, newcomer, caplog):
    caplog.set_level(logging.DEBUG)
    response = register(client, newcomer.api_url)

    assert response.status_code == 200
    tenant = Tenant.objects.get(saleor_api_url=newcomer.api_url)
    assert (tenant.app_token, tenant.saleor_app_id) == (TOKEN, "QXBwOjc=")
    assert schema_exists(tenant.schema)
    assert [call["token"] for call in newcomer.calls] == [TOKEN]
    assert "query AppId" in newcomer.calls[0]["query"]
    assert TOKEN not in caplog.text
    assert TOKEN not in repr(tenant) and TOKEN not in str(tenant)


def test_a_token_saleor_does_not_confirm_stores_nothing(client, db, newcomer, caplog):
    caplog.set_level(logging.DEBUG)
    response = register(client, newcomer.api_url, token="made-up-token-77")

    assert response.status_code == 400
    assert response.json() == {
        "error": {"message": "Saleor did not confirm the app token."}
    }
    assert not Tenant.objects.filter(saleor_api_url=newcomer.api_url).exists()
    assert "made-up-token-77" not in caplog.text


def test_another_apps_token_of_that_saleor_is_refused(client, db, newcomer):
    newcomer.identifier = "some.other.app"
    response = register(client, newcomer.api_url)

    assert response.status_code == 400
    assert not Tenant.objects.filter(saleor_api_url=newcomer.api_url).exists()


def test_a_saleor_outside_the_allow_list_gets_403(client, db, newcomer, settings):
    settings.APP_ALLOWED_SALEOR_URLS = ["https://shop.example.com/graphql/"]
    before = Tenant.objects.count()
    response = register(client, newcomer.api_url)

    assert response.status_code == 403
    assert Tenant.objects.count() == before
    assert newcomer.calls == []  # not even asked to confirm


def test_a_listed_saleor_registers(client, db, newcomer, settings):
    settings.APP_ALLOWED_SALEOR_URLS = [
        newcomer.api_url.upper().replace("/GRAPHQL/", "/graphql/")
    ]
    assert register(client, newcomer.api_url).status_code == 200


@pytest.mark.parametrize(
    "api_url", ["", "ftp://x/graphql/", "http://u:p@x/graphql/", "not a url"]
)
def test_a_missing_or_odd_saleor_url_gets_403(client, db, api_url):
    before = Tenant.objects.count()
    assert register(client, api_url).status_code == 403
    assert Tenant.objects.count() == before


def test_a_body_without_a_token_is_400(client, db, newcomer):
    response = client.post(
        "/api/register",
        data=b"{}",
        content_type="application/json",
        HTTP_SALEOR_API_URL=newcomer.api_url,
    )
    assert response.status_code == 400
    assert not Tenant.objects.filter(saleor_api_url=newcomer.api_url).exists()


def test_reinstalling_replaces_the_token_and_keeps_the_schema(client, db, newcomer):
    assert register(client, newcomer.api_url).status_code == 200
    first = Tenant.objects.get(saleor_api_url=newcomer.api_url)
    newcomer.token = "second-token-Lm04"
    assert (
        register(client, newcomer.api_url, token="second-token-Lm04").status_code == 200
    )

    again = Tenant.objects.get(saleor_api_url=newcomer.api_url)
    assert (again.pk, again.app_token) == (first.pk, "second-token-Lm04")


def test_app_deleted_forgets_the_token_and_refuses_later_deliveries(
    client, saleor_a, tenant_a
):
    gone = p.event("AppDeleted", app={"id": saleor_a.app_id})
    assert deliver(client, saleor_a, "app-deleted", gone).status_code == 200
    tenant_a.refresh_from_db()
    assert tenant_a.app_token == ""
    assert tenant_a.uninstalled_at is not None

    order = p.event("OrderCreated", order=p.order())
    assert deliver(client, saleor_a, "order-created", order).status_code == 401


def test_app_deleted_of_another_app_changes_nothing(client, saleor_a, tenant_a):
    other = p.event("AppDeleted", app={"id": "QXBwOjk5"})
    assert deliver(client, saleor_a, "app-deleted", other).status_code == 400
    tenant_a.refresh_from_db()
    assert tenant_a.app_token == saleor_a.token
