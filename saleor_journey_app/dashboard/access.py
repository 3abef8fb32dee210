"""Who calls the Dashboard pages' own endpoints: a staff member, by the token
the Dashboard handed the page (the AppBridge handshake), in that token's
tenant. Anything else is refused before any data is read."""

from dataclasses import dataclass

from django.http import HttpRequest

from saleor_journey_plugin.core.host import Viewer

from ..api.tenancy import Refused, tenant_of
from ..auth import tokens, viewers
from ..tenants.models import Tenant

# Configuring an app is managing apps in Saleor's terms.
MANAGE_APPS = "MANAGE_APPS"


@dataclass(frozen=True)
class Staff:
    tenant: Tenant
    viewer: Viewer


def staff_of(request: HttpRequest, *, needs: str = "") -> Staff:
    """The caller, who must hold ``needs`` (when named); Refused otherwise."""
    if not viewers.bearer_token(request):
        raise Refused("Open this page from Saleor's Dashboard.", 401, "InvalidToken")
    tenant = tenant_of(request, "")
    try:
        viewer = viewers.viewer_of(request, tenant)
    except tokens.InvalidToken as error:
        raise Refused(str(error), 401, "InvalidToken") from error
    if not viewer.permissions:
        raise Refused("Only staff can open this page.", 403, "PermissionDenied")
    if needs and not viewer.has_permission(needs):
        raise Refused(
            f"You need the {needs} permission in Saleor for this.",
            403,
            "PermissionDenied",
        )
    return Staff(tenant=tenant, viewer=viewer)
