"""The caller of the app's API as the core sees it (a ``Viewer``).

- No token: anonymous.
- A customer's ``access`` token: that customer, verified against the
  tenant's JWKS without asking Saleor.
- A staff member's ``access`` token: their permissions as Saleor reports them
  (``staff.py``).
- A Dashboard extension's ``thirdparty`` token, made for this app: the
  permissions it carries (``user_permissions``, the Dashboard user's own).

The token is read where Saleor reads it (``saleor/core/auth.py``): the
``Authorization-Bearer`` header, else ``Authorization: Bearer|JWT <token>``.
"""

from typing import TYPE_CHECKING, Any

from saleor_journey_plugin.core.host import ANONYMOUS, Viewer

from . import staff, tokens

if TYPE_CHECKING:
    from ..tenants.models import Tenant

PREFIXES = ("BEARER", "JWT")


def bearer_token(request: Any) -> str | None:
    token = request.META.get("HTTP_AUTHORIZATION_BEARER")
    if not token:
        parts = request.META.get("HTTP_AUTHORIZATION", "").split(maxsplit=1)
        if len(parts) == 2 and parts[0].upper() in PREFIXES:
            token = parts[1]
    return token.strip() if token else None


def viewer_of(request: Any, tenant: "Tenant") -> Viewer:
    """The caller; ``tokens.InvalidToken`` for a token the tenant's Saleor
    did not issue or no longer accepts."""
    raw = bearer_token(request)
    if not raw:
        return ANONYMOUS
    token = tokens.verify(raw, tenant)
    if token.is_third_party:
        permissions = token.user_permissions
    elif token.is_staff:
        permissions = staff.permissions(tenant.saleor_api_url, raw, token)
    else:
        permissions = frozenset()
    return Viewer(user_id=token.user_id, email=token.email, permissions=permissions)
