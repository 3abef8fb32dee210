from typing import Any

from .schemas import migrating_tenant_schema

# The core's tables: one set per tenant schema. Everything else (the tenants
# themselves) lives once, in the shared schema.
TENANT_APPS = frozenset({"saleor_journey_plugin"})


class TenantRouter:
    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return (app_label in TENANT_APPS) == migrating_tenant_schema()
