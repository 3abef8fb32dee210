"""``/graphql/<channel>/``: the plugin's GraphQL API, for the tenant the
request is from (``tenancy.py``).

The rest (sizes, limits, errors, CORS, execution) is the plugin's own view,
``graphql_response``, run inside the tenant; the host authenticates the
token there (``AppHost.authenticate``).
"""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from saleor_journey_plugin.graphql.views import graphql_response, preflight, refusal

from ..tenants.schemas import activated
from .tenancy import Refused, tenant_of


@csrf_exempt
def graphql_view(request: HttpRequest, channel: str) -> HttpResponse:
    if request.method == "OPTIONS":
        return preflight(request)
    try:
        tenant = tenant_of(request, channel)
    except Refused as refused:
        return refusal(request, str(refused), refused.status, refused.code)
    with activated(tenant):
        return graphql_response(request, channel)
