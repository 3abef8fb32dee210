"""Serving the journey map page and its assets; any host routes here.

Hosts pass the URLs the page needs (the channel's journey endpoint, the API
that answers ``tokenCreate`` and where the assets are served), so this module
knows nothing of Saleor's or the example store's URL layout.
"""

from functools import cache
from html import escape
from importlib.resources import files

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound

ASSET_TYPES = {
    "map.js": "text/javascript; charset=utf-8",
    "map.css": "text/css; charset=utf-8",
}


# Everything comes from this origin: the page, its script and style, and the
# two APIs it calls. No inline script or style, no frames, no forms posted.
def content_security_policy(frame_ancestors: str = "'none'") -> str:
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
            f"frame-ancestors {frame_ancestors}",
        ]
    )


CONTENT_SECURITY_POLICY = content_security_policy()


@cache
def _read(name: str) -> str:
    return (files(__package__) / "static" / name).read_text(encoding="utf-8")


def _secure(response: HttpResponse, frame_ancestors: str = "") -> HttpResponse:
    response["Content-Security-Policy"] = content_security_policy(
        frame_ancestors or "'none'"
    )
    response["X-Content-Type-Options"] = "nosniff"
    if not frame_ancestors:
        response["X-Frame-Options"] = "DENY"
    response["Referrer-Policy"] = "no-referrer"
    response["Cross-Origin-Opener-Policy"] = "same-origin"
    # The page holds no data, but it is where a token is typed: never stored.
    response["Cache-Control"] = "no-store"
    return response


def map_page(
    request: HttpRequest,
    *,
    channel: str,
    api_url: str,
    signin_url: str,
    assets_url: str,
    script_url: str = "",
    frame_ancestors: str = "",
) -> HttpResponse:
    """The page for ``channel``: an empty shell its script fills in.

    A host that opens the page inside its own admin (the Saleor App, in the
    Dashboard's frame) names the ``frame_ancestors`` allowed to frame it, and
    may load its ``script_url`` instead of ``map.js``: a script that obtains
    the token and the channel, then loads ``map.js`` itself.
    """
    if request.method not in {"GET", "HEAD"}:
        response = HttpResponse("Open the journey map with GET.", status=405)
        response["Allow"] = "GET, HEAD"
        return _secure(response)
    values = {
        "channel": channel,
        "api_url": api_url,
        "signin_url": signin_url,
        "assets_url": assets_url,
        "script_url": script_url or f"{assets_url}map.js",
    }
    html = _read("map.html")
    for name, value in values.items():
        html = html.replace("{{ " + name + " }}", escape(value, quote=True))
    return _secure(
        HttpResponse(html, content_type="text/html; charset=utf-8"), frame_ancestors
    )


def map_asset(request: HttpRequest, name: str) -> HttpResponse:
    """One of the page's own files, by its exact name."""
    content_type = ASSET_TYPES.get(name)
    if content_type is None or request.method not in {"GET", "HEAD"}:
        return _secure(HttpResponseNotFound())
    return _secure(HttpResponse(_read(name), content_type=content_type))
