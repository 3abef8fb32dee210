import json
import logging

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from ..tenants.models import normalize_api_url
from . import registration
from .manifest import manifest

logger = logging.getLogger(__name__)
API_URL_HEADER = "Saleor-Api-Url"
MAX_REGISTER_BYTES = 16 * 1024


@require_GET
def manifest_view(request: HttpRequest) -> JsonResponse:
    return JsonResponse(manifest())


@csrf_exempt
@require_POST
def register_view(request: HttpRequest) -> JsonResponse:
    api_url = request.headers.get(API_URL_HEADER, "")
    normalized = normalize_api_url(api_url)
    if not normalized or not registration.allowed(normalized):
        logger.warning("Registration refused for Saleor %r", api_url[:200])
        return _error(403, "This app does not serve that Saleor.")
    token = _token(request)
    if not token:
        return _error(400, 'Send {"auth_token": ...} as JSON.')
    try:
        tenant = registration.register(api_url, token)
    except registration.NotAllowed:
        return _error(403, "This app does not serve that Saleor.")
    except registration.NotConfirmed as error:
        logger.warning("Registration for %s not confirmed: %s", api_url[:200], error)
        return _error(400, "Saleor did not confirm the app token.")
    logger.info("Registered Saleor %s (tenant %s)", tenant.saleor_api_url, tenant.pk)
    return JsonResponse({"success": True})


def _token(request: HttpRequest) -> str:
    if len(request.body) > MAX_REGISTER_BYTES:
        return ""
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return ""
    token = data.get("auth_token") if isinstance(data, dict) else None
    return token if isinstance(token, str) else ""


def _error(status: int, message: str) -> JsonResponse:
    # Saleor shows error.message to whoever installs the app.
    return JsonResponse({"error": {"message": message}}, status=status)
