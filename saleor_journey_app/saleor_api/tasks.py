"""Writes to Saleor run in Celery, as the tenant that published them: a
webhook's answer never waits on Saleor."""

from celery import shared_task

from saleor_journey_plugin.core.tags import stage_keys, tier_keys
from saleor_journey_plugin.models import Customer, Journey

from ..tenants.schemas import require_tenant
from . import metadata
from .client import SaleorError, TokenRevoked

RETRY = {
    "autoretry_for": (SaleorError,),
    "dont_autoretry_for": (TokenRevoked,),
    "retry_backoff": True,
    "max_retries": 5,
}


@shared_task(
    name="saleor_journey_app.write_journey_stages", ignore_result=True, **RETRY
)
def write_journey_stages(journey_ids: list[int]) -> int:
    """Each user's current stages, read now (a later change wins)."""
    tenant = require_tenant()
    journeys = list(
        Journey.objects.filter(pk__in=journey_ids, customer__user_id__isnull=False)
    )
    users = _user_ids({journey.customer_id for journey in journeys})
    by_user: dict[str, list[Journey]] = {}
    for journey in journeys:
        if user_id := users.get(journey.customer_id):
            by_user.setdefault(user_id, []).append(journey)
    for user_id, user_journeys in by_user.items():
        metadata.write(tenant, user_id, stage_keys(user_journeys))
    return len(by_user)


@shared_task(name="saleor_journey_app.write_loyalty_tiers", ignore_result=True, **RETRY)
def write_loyalty_tiers(changes: list[tuple[int, str, str]]) -> int:
    tenant = require_tenant()
    users = _user_ids({customer for customer, _, _ in changes})
    by_user: dict[str, list[tuple[str, str]]] = {}
    for customer, channel, tier in changes:
        if user_id := users.get(customer):
            by_user.setdefault(user_id, []).append((channel, tier))
    for user_id, tiers in by_user.items():
        metadata.write(tenant, user_id, tier_keys(tiers))
    return len(by_user)


def _user_ids(customer_ids: set[int]) -> dict[int, str]:
    return {
        pk: user_id
        for pk, user_id in Customer.objects.filter(
            pk__in=customer_ids, user_id__isnull=False
        ).values_list("pk", "user_id")
        if user_id
    }
