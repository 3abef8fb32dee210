"""Which tenant a request to the app's API is for.

The one whose Saleor issued the caller's token (its ``iss``, then verified
against that Saleor's keys by the host), so a storefront or the Dashboard
sends nothing but the token it already has. A caller without a token names
its Saleor in the ``Saleor-Api-Url`` header; a token and a header naming
different Saleors are refused. Why not the header alone: the token says it
already, signed, and one rule (the issuer's keys verify the issuer's tokens)
means another Saleor's token can never act in this tenant. Why not the path:
a tenant is a Saleor URL, which a path cannot hold readably.
"""

from django.http import HttpRequest

from ..auth import tokens
from ..auth.viewers import bearer_token
from ..tenants.models import Tenant, normalize_api_url

API_URL_HEADER = "Saleor-Api-Url"


class Refused(Exception):
    """The request names no tenant it may act in: answer ``status``."""

    def __init__(self, message: str, status: int, code: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


def tenant_of(request: HttpRequest, channel: str) -> Tenant:
    named = normalize_api_url(request.headers.get(API_URL_HEADER, ""))
    token = bearer_token(request)
    if token:
        issuer = tokens.issuer_of(token)
        if not issuer:
            raise Refused("Invalid token.", 401, "InvalidToken")
        if named and named != issuer:
            raise Refused(
                "The token was issued by another Saleor than Saleor-Api-Url names.",
                401,
                "InvalidToken",
            )
        tenant = _installed(issuer)
        if tenant is None:
            raise Refused(
                "The token's Saleor has not installed this app.", 401, "InvalidToken"
            )
        return tenant
    if not named:
        raise Refused(
            f"Name your Saleor in the {API_URL_HEADER} header, or send a Saleor token.",
            400,
            "BadRequest",
        )
    tenant = _installed(named)
    if tenant is None:
        # The plugin's answer for a channel without the journey: which Saleors
        # installed the app is nobody's business.
        raise Refused(f"No journey in channel '{channel}'.", 404, "BadRequest")
    return tenant


def _installed(api_url: str) -> Tenant | None:
    return Tenant.objects.installed().filter(saleor_api_url=api_url).first()
