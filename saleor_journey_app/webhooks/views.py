"""``POST /api/webhooks/<event>``: verify, translate, record, answer.

Nothing is stored unless the delivery names a registered Saleor and carries
its signature over this very body (401 otherwise, and for a body over the size
limit). A verified body the subscription could not have produced is 400.
Recording goes through the core's entry point (one INSERT); the relay then
wakes the worker for this tenant off the request. The answer never waits on
Saleor or the broker.
"""

import json
import logging
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from saleor_journey_plugin import service

from .. import conf
from ..install.registration import uninstall
from ..tenants.models import Tenant, normalize_api_url
from ..tenants.schemas import activated
from . import health, signature, translate
from .subscriptions import APP_DELETED, BY_PATH

logger = logging.getLogger(__name__)
API_URL_HEADER = "Saleor-Api-Url"
SIGNATURE_HEADER = "Saleor-Signature"


@csrf_exempt
@require_POST
def webhook_view(request: HttpRequest, event: str) -> HttpResponse:
    subscription = BY_PATH.get(event)
    if subscription is None:
        return HttpResponse(status=404)
    limit = conf.max_webhook_bytes()
    if _declared_length(request) > limit or len(request.body) > limit:
        too_large = "body over the size limit"
        return _refused(too_large, _tenant_named(request), health.TOO_LARGE)
    body = request.body
    tenant = _tenant_named(request)
    if tenant is None:
        return _refused("Saleor-Api-Url names no registered Saleor")
    try:
        signature.verify(
            tenant.saleor_api_url, body, request.headers.get(SIGNATURE_HEADER, "")
        )
    except signature.BadSignature as error:
        return _refused(str(error), tenant, health.SIGNATURE)
    try:
        payload = json.loads(body, parse_float=Decimal)
        if subscription is APP_DELETED:
            return _app_deleted(tenant, payload)
        events = translate.events(subscription, payload)
    except (ValueError, AttributeError, TypeError) as error:
        # MalformedPayload is a ValueError; the others: a wrong JSON shape.
        logger.warning("Webhook %s from %s: malformed (%s)", event, tenant, error)
        health.failed(tenant, health.PAYLOAD, event)
        return HttpResponse(status=400)
    enabled = [e for e in events if not e.channel or e.channel in tenant.channels]
    if enabled:
        with activated(tenant):
            service.record_all_and_wake(enabled)
    health.delivered(tenant)
    return HttpResponse(status=200)


def _tenant_named(request: HttpRequest) -> Tenant | None:
    api_url = normalize_api_url(request.headers.get(API_URL_HEADER, ""))
    if not api_url:
        return None
    return Tenant.objects.installed().filter(saleor_api_url=api_url).first()


def _app_deleted(tenant: Tenant, payload: object) -> HttpResponse:
    app, _ = translate.subject(payload, APP_DELETED)
    if tenant.saleor_app_id and app.get("id") != tenant.saleor_app_id:
        return HttpResponse(status=400)  # another app of that Saleor
    uninstall(tenant)
    logger.info("Saleor %s deleted the app; its token is forgotten", tenant)
    return HttpResponse(status=200)


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _refused(reason: str, tenant: Tenant | None = None, kind: str = "") -> HttpResponse:
    """401; noted in the health of the tenant the delivery names, if any (a
    forged delivery naming it counts: the page shows someone is trying)."""
    logger.warning("Webhook refused: %s", reason)
    if tenant is not None:
        health.failed(tenant, kind, reason if kind == health.SIGNATURE else "")
    return HttpResponse(status=401)
