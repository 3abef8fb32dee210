"""``/graphql/<channel>/``: the plugin's GraphQL API, for the tenant the
request is from.

Which tenant: the one whose Saleor issued the caller's token (its ``iss``,
then verified against that Saleor's keys), so a storefront or the Dashboard
sends nothing but the token it already has. A caller without a token names
its Saleor in the ``Saleor-Api-Url`` header; a token and a header naming
different Saleors are refused. Why not the header alone: the token says it
already, signed, and one rule (the issuer's keys verify the issuer's tokens)
means another Saleor's token can never act in this tenant. Why not the path:
a tenant is a Saleor URL, which the path cannot hold readably.

The rest (sizes, limits, errors, CORS, execution) is the plugin's own view,
``graphql_response``, run inside the tenant; the host authenticates the
token there (``AppHost.authenticate``).
"""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from saleor_journey_plugin.graphql.views import graphql_response, preflight, refusal

from ..auth import tokens
from ..auth.viewers import bearer_token
from ..tenants.models import Tenant, normalize_api_url
from ..tenants.schemas import activated

API_URL_HEADER = "Saleor-Api-Url"


class _Refused(Exception):
    def __init__(self, message: str, status: int, code: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


@csrf_exempt
def graphql_view(request: HttpRequest, channel: str) -> HttpResponse:
    if request.method == "OPTIONS":
        return preflight(request)
    try:
        tenant = _tenant_of(request, channel)
    except _Refused as refused:
        return refusal(request, str(refused), refused.status, refused.code)
    with activated(tenant):
        return graphql_response(request, channel)


def _tenant_of(request: HttpRequest, channel: str) -> Tenant:
    named = normalize_api_url(request.headers.get(API_URL_HEADER, ""))
    token = bearer_token(request)
    if token:
        issuer = tokens.issuer_of(token)
        if not issuer:
            raise _Refused("Invalid token.", 401, "InvalidToken")
        if named and named != issuer:
            raise _Refused(
                "The token was issued by another Saleor than Saleor-Api-Url names.",
                401,
                "InvalidToken",
            )
        tenant = _installed(issuer)
        if tenant is None:
            raise _Refused(
                "The token's Saleor has not installed this app.", 401, "InvalidToken"
            )
        return tenant
    if not named:
        raise _Refused(
            f"Name your Saleor in the {API_URL_HEADER} header, or send a Saleor token.",
            400,
            "BadRequest",
        )
    tenant = _installed(named)
    if tenant is None:
        # The plugin's answer for a channel without the journey: which Saleors
        # installed the app is nobody's business.
        raise _Refused(f"No journey in channel '{channel}'.", 404, "BadRequest")
    return tenant


def _installed(api_url: str) -> Tenant | None:
    return Tenant.objects.installed().filter(saleor_api_url=api_url).first()
