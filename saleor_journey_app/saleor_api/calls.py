"""Saleor calls as a tenant, with its token; a refused token marks the tenant."""

import base64
from typing import Any

from ..tenants.models import Tenant
from . import client
from .client import TokenRevoked


def call(tenant: Tenant, query: str, variables: dict | None = None) -> dict[str, Any]:
    if not tenant.app_token:
        raise TokenRevoked("The app is not installed in this Saleor")
    try:
        return client.execute(tenant.saleor_api_url, tenant.app_token, query, variables)
    except TokenRevoked:
        Tenant.objects.filter(pk=tenant.pk).update(needs_reinstall=True)
        tenant.needs_reinstall = True
        raise


def global_id(kind: str, pk: str) -> str:
    """A Saleor GraphQL ID (base64 of ``<kind>:<pk>``)."""
    return base64.b64encode(f"{kind}:{pk}".encode()).decode()
