"""Tenancy by PostgreSQL schema: each tenant's journey tables in a schema of
its own, chosen for a request or a task by the connection's ``search_path``.

The core's tables exist only in tenant schemas (``routers.py``), so a query run
outside :func:`activated` finds no table and fails: it can never read or write
another tenant's rows.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from django.core.management import call_command
from django.db import connection
from django.db.backends.signals import connection_created

if TYPE_CHECKING:
    from .models import Tenant

SHARED_SCHEMA = "public"

_current: ContextVar["Tenant | None"] = ContextVar("journey_tenant", default=None)
_migrating: ContextVar[bool] = ContextVar("journey_tenant_migrating", default=False)


class NoTenant(RuntimeError):
    """Journey data was touched outside any tenant."""


def current_tenant() -> "Tenant | None":
    return _current.get()


def require_tenant() -> "Tenant":
    tenant = _current.get()
    if tenant is None:
        raise NoTenant(
            "No tenant is active: journey data is read and written only inside "
            "saleor_journey_app.tenants.schemas.activated(tenant)."
        )
    return tenant


def migrating_tenant_schema() -> bool:
    return _migrating.get()


@contextmanager
def activated(tenant: "Tenant") -> Iterator["Tenant"]:
    """Run the block as ``tenant``: its schema first on the search path, then
    the shared one (for the tenants table)."""
    token = _current.set(tenant)
    _set_search_path(_path_for(tenant))
    try:
        yield tenant
    finally:
        _current.reset(token)
        _restore_search_path()


@contextmanager
def _migrating_into(tenant: "Tenant") -> Iterator[None]:
    # Only the tenant's schema on the path: Django must find (and create) its
    # own django_migrations table there, not the shared one.
    token = _migrating.set(True)
    _set_search_path(_quoted(tenant.schema))
    try:
        yield
    finally:
        _migrating.reset(token)
        _restore_search_path()


def create_schema(tenant: "Tenant") -> None:
    """Create the tenant's schema (if new) and bring its tables up to date."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {_quoted(tenant.schema)}")
    with _migrating_into(tenant):
        call_command("migrate", "saleor_journey_plugin", verbosity=0)


def drop_schema(tenant: "Tenant") -> None:
    """Erase the tenant's journey data: its schema and every table in it."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {_quoted(tenant.schema)} CASCADE")


def migrate_all() -> int:
    """Migrate every tenant's schema (after a deploy); the count migrated."""
    from .models import Tenant

    tenants = list(Tenant.objects.order_by("pk"))
    for tenant in tenants:
        create_schema(tenant)
    return len(tenants)


def _path_for(tenant: "Tenant") -> str:
    return f"{_quoted(tenant.schema)}, {SHARED_SCHEMA}"


def _quoted(schema: str) -> str:
    # Schema names are made here from a primary key (tenant_<pk>); quoting is
    # belt and braces.
    if not schema.replace("_", "").isalnum():
        raise ValueError(f"Not a tenant schema name: {schema!r}")
    return f'"{schema}"'


def _set_search_path(path: str, conn: Any = None) -> None:
    with (conn or connection).cursor() as cursor:
        cursor.execute(f"SET search_path TO {path}")


def _restore_search_path() -> None:
    tenant = _current.get()
    path = _path_for(tenant) if tenant is not None else SHARED_SCHEMA
    if connection.connection is None:
        return  # closed: a new connection starts from the current tenant
    if connection.needs_rollback or _in_failed_transaction():
        # SET cannot run in an aborted transaction, whose rollback restores
        # the path anyway; outside one, a connection left unsure is closed.
        if not connection.in_atomic_block:
            connection.close()
        return
    _set_search_path(path)


def _in_failed_transaction() -> bool:
    from psycopg.pq import TransactionStatus

    raw = connection.connection
    return raw is not None and raw.info.transaction_status == TransactionStatus.INERROR


def _on_new_connection(sender: Any, connection: Any, **kwargs: Any) -> None:
    # A connection opened inside a tenant's block (after the old one closed)
    # starts in that tenant's schema.
    tenant = _current.get()
    if tenant is not None:
        _set_search_path(
            _quoted(tenant.schema) if _migrating.get() else _path_for(tenant),
            connection,
        )


def connect() -> None:
    connection_created.connect(_on_new_connection, dispatch_uid="journey_tenant")
