"""The configuration page's data: per channel, the plugin's fields (their
one spec, ``saleor_journey_plugin.configuration``), with the same defaults
and validation messages, and what the app knows of the webhooks' health."""

import logging
import re
from datetime import timedelta
from typing import Any

from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone

from saleor_journey_plugin import configuration
from saleor_journey_plugin.core.fields import FieldKind
from saleor_journey_plugin.models import JourneyEvent

from .. import conf
from ..host import CURRENCY, dashboard_fields
from ..saleor_api import client
from ..tenants.models import Tenant
from ..tenants.schemas import activated
from ..webhooks.health import webhook_health

logger = logging.getLogger(__name__)
CHANNELS_QUERY = "query JourneyChannels { channels { slug name currencyCode } }"
_CURRENCY = re.compile(r"[A-Z]{3}")


class Invalid(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def fields_spec() -> list[dict[str, Any]]:
    return [
        {
            "name": field.name,
            "label": field.label,
            "help": field.help,
            "kind": str(field.kind),
            "choices": list(field.choices),
            "default": "" if field.kind == FieldKind.SECRET else field.default,
        }
        for field in configuration.fields()
    ]


def page_data(tenant: Tenant) -> dict[str, Any]:
    return {
        "fields": fields_spec(),
        "channels": channels(tenant),
        "health": health(tenant),
    }


def channels(tenant: Tenant) -> list[dict[str, Any]]:
    """Saleor's channels (asked with the app token), then any the app has
    settings for that Saleor no longer lists."""
    found: dict[str, dict[str, Any]] = {}
    for channel in _saleor_channels(tenant):
        found[channel["slug"]] = {
            "slug": channel["slug"],
            "name": channel.get("name") or channel["slug"],
            "currency": channel.get("currencyCode") or "",
        }
    for slug, stored in tenant.channels.items():
        found.setdefault(slug, {"slug": slug, "name": slug, "currency": ""})
        if stored.get(CURRENCY):
            found[slug]["currency"] = stored[CURRENCY]
    return [
        {
            **channel,
            **_values(tenant, channel["slug"]),
            "reviewWebhookUrl": review_webhook_url(tenant, channel["slug"]),
        }
        for channel in sorted(found.values(), key=lambda c: c["slug"])
    ]


def review_webhook_url(tenant: Tenant, channel: str) -> str:
    """Where the channel's review service posts (the app serves it)."""
    path = reverse("app-reviews", kwargs={"tenant": tenant.pk, "channel": channel})
    return conf.app_url() + path


def save(tenant: Tenant, slug: str, data: dict[str, Any]) -> dict[str, Any]:
    """Store a channel's settings as the plugin would accept them; Invalid
    (each bad field's message) stores nothing."""
    if not slug or len(slug) > 255:
        raise Invalid({"channel": "Name a channel."})
    if not data.get("enabled"):
        tenant.channels.pop(slug, None)
        tenant.save(update_fields=["channels"])
        return _values(tenant, slug)
    raw = data.get("values")
    if not isinstance(raw, dict):
        raise Invalid({"values": "Send the fields as an object."})
    known = {field.name: field for field in configuration.fields()}
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise Invalid({name: f"There is no field {name}." for name in unknown})
    stored = dashboard_fields(tenant.channels.get(slug) or {})
    values = {name: str(value) for name, value in raw.items() if value is not None}
    for name, field in known.items():
        # A secret is never sent to the page: left out, it stays as it was.
        if field.kind == FieldKind.SECRET and name not in values and name in stored:
            values[name] = stored[name]
    errors = configuration.errors(values)
    currency = str(data.get("currency") or "").strip().upper()
    if not _CURRENCY.fullmatch(currency):
        errors[CURRENCY] = (
            f"Currency must be the channel's ISO 4217 code, e.g. USD; got '{currency}'."
        )
    if errors:
        raise Invalid(errors)
    tenant.channels[slug] = {**values, CURRENCY: currency}
    tenant.save(update_fields=["channels"])
    return _values(tenant, slug)


def health(tenant: Tenant) -> dict[str, Any]:
    """What the app knows of its webhooks: the last delivery and the refused
    ones (``webhook_health``), and when the last fact was recorded and how many
    in the last day."""
    deliveries = webhook_health(tenant)
    failure = deliveries["last_failure"]
    since = timezone.now() - timedelta(days=1)
    with activated(tenant):
        found = JourneyEvent.objects.aggregate(
            last=Max("recorded_at"), day=Count("pk", filter=Q(recorded_at__gte=since))
        )
    delivered = deliveries["last_delivery_at"]
    return {
        "lastDeliveryAt": delivered.isoformat() if delivered else None,
        "failures24h": deliveries["failures_24h"],
        "lastFailure": (
            {"at": failure["at"].isoformat(), "reason": failure["reason"]}
            if failure
            else None
        ),
        "lastEventAt": found["last"].isoformat() if found["last"] else None,
        "eventsLastDay": found["day"],
        "needsReinstall": tenant.needs_reinstall,
        "installedAt": tenant.registered_at.isoformat(),
    }


def _values(tenant: Tenant, slug: str) -> dict[str, Any]:
    stored = tenant.channels.get(slug)
    fields = dashboard_fields(stored or {})
    secrets = {f.name for f in configuration.fields() if f.kind == FieldKind.SECRET}
    return {
        "enabled": stored is not None,
        "values": {
            name: ("" if name in secrets else str(value))
            for name, value in fields.items()
        },
        "secretsSet": sorted(name for name in secrets if fields.get(name)),
    }


def _saleor_channels(tenant: Tenant) -> list[dict[str, Any]]:
    if not tenant.app_token:
        return []
    try:
        data = client.execute(tenant.saleor_api_url, tenant.app_token, CHANNELS_QUERY)
    except client.SaleorError as error:
        logger.warning("Saleor %s: channels not read (%s)", tenant, error)
        return []
    return [
        channel
        for channel in data.get("channels") or []
        if isinstance(channel, dict) and isinstance(channel.get("slug"), str)
    ]
