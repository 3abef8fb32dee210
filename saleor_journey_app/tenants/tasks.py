"""Celery runs each task as the tenant that published it, and beat per tenant.

A task published inside :func:`schemas.activated` carries the tenant in a
message header; the worker activates that tenant around the task. The core's
periodic tasks know nothing of tenants: beat runs :func:`for_each_tenant`,
which publishes the core task once per installed tenant.
"""

from typing import Any

from celery import current_app, shared_task
from celery.signals import before_task_publish, task_postrun, task_prerun

from .models import Tenant
from .schemas import activated, current_tenant

TENANT_HEADER = "journey_tenant"

_running: dict[str, Any] = {}


@shared_task(name="saleor_journey_app.for_each_tenant", ignore_result=True)
def for_each_tenant(task_name: str) -> int:
    task = current_app.tasks[task_name]
    tenants = list(Tenant.objects.installed().order_by("pk"))
    for tenant in tenants:
        with activated(tenant):
            task.apply_async()
    return len(tenants)


def periodic_entries(core_schedule: dict[str, dict]) -> dict[str, dict]:
    """The core's beat schedule, each entry run through for_each_tenant."""
    return {
        name: {
            **entry,
            "task": for_each_tenant.name,
            "args": (entry["task"],),
        }
        for name, entry in core_schedule.items()
    }


@before_task_publish.connect(dispatch_uid="journey_tenant_publish")
def _name_the_tenant(headers: dict | None = None, **kwargs: Any) -> None:
    tenant = current_tenant()
    if tenant is not None and headers is not None:
        headers[TENANT_HEADER] = tenant.pk


@task_prerun.connect(dispatch_uid="journey_tenant_prerun")
def _enter_tenant(task_id: str = "", task: Any = None, **kwargs: Any) -> None:
    tenant_pk = getattr(task.request, TENANT_HEADER, None) if task else None
    if tenant_pk is None or task.request.is_eager:
        return  # eager tasks run in their caller's tenant
    tenant = Tenant.objects.get(pk=tenant_pk)
    block = activated(tenant)
    block.__enter__()
    _running[task_id] = block


@task_postrun.connect(dispatch_uid="journey_tenant_postrun")
def _leave_tenant(task_id: str = "", **kwargs: Any) -> None:
    block = _running.pop(task_id, None)
    if block is not None:
        block.__exit__(None, None, None)
