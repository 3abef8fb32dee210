"""The Dashboard's pages and their endpoints.

Each page is an empty shell that does nothing until the Dashboard's AppBridge
handshake hands it a token (``static/bridge.js``); the token lives in the
page's memory (the map keeps it in sessionStorage, as it does everywhere),
goes only into ``Authorization`` headers to this app, and never into a URL.
The endpoints answer only a staff member's token of an installed tenant
(``access.py``).
"""

import json
from functools import cache
from importlib.resources import files

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from saleor_journey_plugin.journey_map_page import views as journey_map

from .. import conf
from ..api.tenancy import Refused
from . import settings_form
from .access import MANAGE_APPS, staff_of

PAGES = {"configuration": "configuration.html", "widget": "widget.html"}
# Each page's script is the bridge followed by the page's own code.
SCRIPTS = {
    "configuration.js": ("bridge.js", "configuration.js"),
    "widget.js": ("bridge.js", "widget.js"),
    "map-start.js": ("bridge.js", "map-start.js"),
}
STYLES = {"dashboard.css"}
STATIC_URL = "/app/static/"
MAP_ASSETS_URL = "/app/map/assets/"
MAX_BODY_BYTES = 64 * 1024


def configuration_page(request: HttpRequest) -> HttpResponse:
    return _page(request, "configuration")


def customer_widget(request: HttpRequest) -> HttpResponse:
    return _page(request, "widget")


def map_page(request: HttpRequest) -> HttpResponse:
    """The plugin's journey map page, started by ``map-start.js`` once the
    handshake named the token (and the channel, when the URL does not)."""
    return journey_map.map_page(
        request,
        channel=request.GET.get("channel", "")[:100],
        api_url="",
        signin_url="",
        assets_url=MAP_ASSETS_URL,
        script_url=f"{STATIC_URL}map-start.js",
        frame_ancestors=conf.dashboard_origins(),
    )


def map_asset(request: HttpRequest, name: str) -> HttpResponse:
    return journey_map.map_asset(request, name)


def static(request: HttpRequest, name: str) -> HttpResponse:
    if name in SCRIPTS:
        body = "\n".join(_read(part) for part in SCRIPTS[name])
        content_type = "text/javascript; charset=utf-8"
    elif name in STYLES:
        body, content_type = _read(name), "text/css; charset=utf-8"
    else:
        return _secure(HttpResponse(status=404))
    return _secure(HttpResponse(body, content_type=content_type))


@csrf_exempt
def configuration_api(request: HttpRequest) -> HttpResponse:
    """GET: every channel's fields and the webhooks' health; POST
    ``{channel, enabled, currency, values}``: save one channel (400 with each
    bad field's message, nothing saved)."""
    try:
        staff = staff_of(request, needs=MANAGE_APPS)
    except Refused as refused:
        return _refused(refused)
    if request.method == "GET":
        return _json(settings_form.page_data(staff.tenant))
    if request.method != "POST":
        return _json({"error": "Use GET or POST."}, status=405)
    try:
        data = _body(request)
        saved = settings_form.save(staff.tenant, str(data.get("channel") or ""), data)
    except settings_form.Invalid as invalid:
        return _json({"errors": invalid.errors}, status=400)
    except ValueError as error:
        return _json({"errors": {"": str(error)}}, status=400)
    return _json(saved)


def channels_api(request: HttpRequest) -> HttpResponse:
    """The channels the journey is on in, for the map and the widget."""
    try:
        staff = staff_of(request)
    except Refused as refused:
        return _refused(refused)
    return _json({"channels": sorted(staff.tenant.channels)})


def _page(request: HttpRequest, page: str) -> HttpResponse:
    if request.method not in {"GET", "HEAD"}:
        return _secure(HttpResponse(status=405))
    response = HttpResponse(_read(PAGES[page]), content_type="text/html; charset=utf-8")
    return _secure(response, conf.dashboard_origins())


def _secure(response: HttpResponse, frame_ancestors: str = "'none'") -> HttpResponse:
    response["Content-Security-Policy"] = journey_map.content_security_policy(
        frame_ancestors
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response


def _body(request: HttpRequest) -> dict:
    if len(request.body) > MAX_BODY_BYTES:
        raise ValueError("The request is too large.")
    try:
        data = json.loads(request.body or b"{}")
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError("The request body is not JSON.") from error
    if not isinstance(data, dict):
        raise ValueError("The request body must be a JSON object.")
    return data


def _json(data: dict, status: int = 200) -> JsonResponse:
    return _secure(JsonResponse(data, status=status))  # type: ignore[return-value]


def _refused(refused: Refused) -> HttpResponse:
    return _json({"error": str(refused), "code": refused.code}, status=refused.status)


@cache
def _read(name: str) -> str:
    return (files(__package__) / "static" / name).read_text(encoding="utf-8")
