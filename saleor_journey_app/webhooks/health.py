"""Webhook health per tenant: the last delivery, and refused deliveries.

``webhook_health(tenant)`` is what the configuration page shows. Writing it
costs the hot path little: a good delivery upserts its time at most once per
``APP_WEBHOOK_HEALTH_SECONDS`` per process and tenant (a timestamp in memory
says when this process last did), and a refused one is a single statement
(its hour's count, the last failure, and old hours pruned, in one upsert).
"""

import time
from datetime import datetime, timedelta
from typing import TypedDict

from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from .. import conf
from ..tenants.models import Tenant
from .models import WebhookFailureHour, WebhookHealth

SIGNATURE = "Signature not verified"
PAYLOAD = "Not a payload the subscription sends"
TOO_LARGE = "Body over the size limit"
KEPT_HOURS = 48

_HEALTH = WebhookHealth._meta.db_table
_HOURS = WebhookFailureHour._meta.db_table
_DELIVERED = f"""
INSERT INTO {_HEALTH} (tenant_id, last_delivery_at, last_failure)
VALUES (%s, %s, '')
ON CONFLICT (tenant_id) DO UPDATE
SET last_delivery_at = GREATEST({_HEALTH}.last_delivery_at, EXCLUDED.last_delivery_at)
"""
_FAILED = f"""
WITH noted AS (
  INSERT INTO {_HEALTH} (tenant_id, last_failure_at, last_failure)
  VALUES (%(tenant)s, %(at)s, %(reason)s)
  ON CONFLICT (tenant_id) DO UPDATE
  SET last_failure_at = EXCLUDED.last_failure_at, last_failure = EXCLUDED.last_failure
), pruned AS (
  DELETE FROM {_HOURS} WHERE tenant_id = %(tenant)s AND hour < %(oldest)s
)
INSERT INTO {_HOURS} (tenant_id, hour, failures) VALUES (%(tenant)s, %(hour)s, 1)
ON CONFLICT (tenant_id, hour) DO UPDATE SET failures = {_HOURS}.failures + 1
"""

# Per tenant id, when (time.monotonic) this process last noted a delivery.
_noted: dict[int, float] = {}


class Failure(TypedDict):
    at: datetime
    reason: str


class Health(TypedDict):
    last_delivery_at: datetime | None
    # Refused in the current hour and the 23 before it.
    failures_24h: int
    last_failure: Failure | None


def delivered(tenant: Tenant) -> None:
    """A verified delivery arrived; noted if this process has not lately."""
    now = time.monotonic()
    last = _noted.get(tenant.pk)
    if last is not None and now - last < conf.webhook_health_seconds():
        return
    _noted[tenant.pk] = now
    with connection.cursor() as cursor:
        cursor.execute(_DELIVERED, [tenant.pk, timezone.now()])


def failed(tenant: Tenant, reason: str, detail: str = "") -> None:
    at = timezone.now()
    hour = at.replace(minute=0, second=0, microsecond=0)
    text = f"{reason}: {detail}" if detail else reason
    with connection.cursor() as cursor:
        cursor.execute(
            _FAILED,
            {
                "tenant": tenant.pk,
                "at": at,
                "reason": text[:200],
                "hour": hour,
                "oldest": hour - timedelta(hours=KEPT_HOURS),
            },
        )


def webhook_health(tenant: Tenant) -> Health:
    """The tenant's last delivery time, refusals in about the last 24 hours
    (counted by the hour), and the last refusal with its time and reason."""
    row = WebhookHealth.objects.filter(tenant=tenant).first()
    since = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(
        hours=23
    )
    failures = WebhookFailureHour.objects.filter(
        tenant=tenant, hour__gte=since
    ).aggregate(total=Sum("failures"))["total"]
    last_failure: Failure | None = None
    if row is not None and row.last_failure_at is not None:
        last_failure = {"at": row.last_failure_at, "reason": row.last_failure}
    return {
        "last_delivery_at": row.last_delivery_at if row is not None else None,
        "failures_24h": failures or 0,
        "last_failure": last_failure,
    }


def forget_deliveries() -> None:
    """Tests: this process has noted no delivery yet."""
    _noted.clear()
