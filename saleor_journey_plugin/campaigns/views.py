"""HTTP endpoints of campaign emails: one-click unsubscribe and the click redirect.

Thin: the plugin's ``webhook`` (Saleor) and the example store's URLs route here.
"""

from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.utils.html import escape

from . import actions
from .tokens import InvalidToken

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;
padding:0 1rem;color:#222}}button{{font-size:1rem;padding:.6rem 1.2rem}}</style>
</head><body><h1>{title}</h1>{content}</body></html>"""


def _page(title: str, content: str, status: int = 200) -> HttpResponse:
    return HttpResponse(
        _PAGE.format(title=escape(title), content=content), status=status
    )


def _invalid() -> HttpResponse:
    return _page(
        "This link is not valid",
        "<p>Please use the link from the email exactly as it was sent.</p>",
        status=400,
    )


def unsubscribe(request: HttpRequest, channel: str, token: str) -> HttpResponse:
    """GET: a page with a button; POST (RFC 8058 one-click): unsubscribe."""
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    try:
        if request.method == "POST":
            actions.unsubscribe(token, channel)
            return _page(
                "You are unsubscribed",
                "<p>You will not receive these emails from this store again.</p>",
            )
        actions.check_unsubscribe(token, channel)
    except InvalidToken:
        return _invalid()
    return _page(
        "Unsubscribe",
        "<p>Stop receiving reminder and offer emails from this store?</p>"
        '<form method="post"><button type="submit">Unsubscribe</button></form>',
    )


def click(request: HttpRequest, channel: str, token: str) -> HttpResponse:
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    try:
        return HttpResponseRedirect(actions.click(token, channel))
    except InvalidToken:
        return HttpResponseBadRequest("This link is not valid.")
