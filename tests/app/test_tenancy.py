"""Two Saleors, one deployment: nothing one of them sends is visible to the other."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.utils import ProgrammingError

from saleor_journey_app.tenants.models import Tenant
from saleor_journey_app.tenants.schemas import NoTenant, activated
from saleor_journey_plugin.core.host import get_host
from saleor_journey_plugin.core.processing import drain
from saleor_journey_plugin.core.queries import find_customer
from saleor_journey_plugin.models import Customer, Journey, JourneyEvent
from saleor_journey_plugin.reports.kpis import revenue
from saleor_journey_plugin.reports.period import Period

from . import payloads as p
from .conftest import deliver

MARCH = Period(date(2026, 3, 1), date(2026, 4, 1))


def table_counts(schema: str) -> tuple[int, int]:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{schema}".journey_event')
        events = cursor.fetchone()[0]
        cursor.execute(f'SELECT count(*) FROM "{schema}".journey_journey')
        journeys = cursor.fetchone()[0]
    return events, journeys


def test_an_event_for_one_saleor_is_invisible_to_the_other(
    client, saleor_a, saleor_b, tenant_a, tenant_b
):
    placed = p.event("OrderCreated", order=p.order())
    paid = p.event("OrderFullyPaid", order=p.order())
    assert deliver(client, saleor_a, "order-created", placed).status_code == 200
    assert deliver(client, saleor_a, "order-fully-paid", paid).status_code == 200
    with activated(tenant_a):
        drain()
    with activated(tenant_b):
        drain()

    assert table_counts(tenant_a.schema) == (2, 1)
    assert table_counts(tenant_b.schema) == (0, 0)
    with activated(tenant_a):
        customer = find_customer(user_id="42")
        assert customer is not None
        assert Journey.objects.get(customer=customer).stage == "PURCHASE"
        assert revenue(p.CHANNEL, MARCH, "USD").amount == Decimal("50.00")
    with activated(tenant_b):
        assert find_customer(user_id="42") is None
        assert JourneyEvent.objects.count() == 0
        assert revenue(p.CHANNEL, MARCH, "USD").amount == Decimal("0.00")


def test_the_same_fact_in_two_saleors_is_two_facts(
    client, saleor_a, saleor_b, tenant_a, tenant_b
):
    body = p.event("OrderCreated", order=p.order())
    assert deliver(client, saleor_a, "order-created", body).status_code == 200
    assert deliver(client, saleor_b, "order-created", body).status_code == 200

    assert table_counts(tenant_a.schema) == (1, 0)
    assert table_counts(tenant_b.schema) == (1, 0)


def test_journey_data_outside_a_tenant_is_an_error_not_a_guess(db):
    # The shared schema has no journey tables at all.
    with pytest.raises(ProgrammingError), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM journey_event")


def test_the_host_refuses_to_work_without_a_tenant(db):
    with pytest.raises(NoTenant):
        get_host().channel_settings(p.CHANNEL)
    with pytest.raises(NoTenant), get_host().writer():
        pass


def test_each_tenant_has_its_own_channel_settings(tenant_a, tenant_b):
    tenant_b.channels = {p.CHANNEL: {"stage_preset": "hubspot", "currency": "KRW"}}
    tenant_b.save()
    with activated(tenant_a):
        first = get_host().channel_settings(p.CHANNEL)
    with activated(tenant_b):
        second = get_host().channel_settings(p.CHANNEL)
        assert get_host().channel_settings("other") is None

    assert first is not None and second is not None
    assert (first.preset, first.currency) == ("standard", "USD")
    assert (second.preset, second.currency) == ("hubspot", "KRW")


def _schemas() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'tenant_%'")
        return {name for (name,) in cursor.fetchall()}


def test_an_uninstalled_saleors_data_is_erased_on_request_only(db, tenant_a):
    from django.core.management import CommandError, call_command
    from django.utils import timezone

    from saleor_journey_app.tenants.schemas import create_schema

    # given: a Saleor that installed the app, recorded a customer, then
    # uninstalled it (its token forgotten, its data kept)
    gone = Tenant.objects.create(
        saleor_api_url="http://saleor-c.test/graphql/", registered_at=timezone.now()
    )
    create_schema(gone)
    with activated(gone):
        Customer.objects.create(user_id="5", email="c@example.com")
    schemas = _schemas()
    assert {gone.schema, tenant_a.schema} <= schemas

    # when: staff ask to erase it without --yes, or to erase an installed one
    with pytest.raises(CommandError, match="--yes"):
        call_command("journey_app_erase", gone.saleor_api_url)
    with pytest.raises(CommandError, match="still installed"):
        call_command("journey_app_erase", tenant_a.saleor_api_url, "--yes")

    # then: nothing is erased
    assert _schemas() == schemas

    # when: they confirm it
    call_command("journey_app_erase", gone.saleor_api_url, "--yes")

    # then: its schema and row are gone; the installed Saleor's are untouched
    assert _schemas() == schemas - {gone.schema}
    assert not Tenant.objects.filter(pk=gone.pk).exists()
