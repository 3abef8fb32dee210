"""Saleor's JWTs, verified as the tenant's Saleor issued them.

Saleor 3.23 (``saleor/core/jwt.py``) signs its tokens RS256 with the key it
publishes in its JWKS, and sets ``iss`` to its API URL, ``exp``, ``type``
(``access`` from ``tokenCreate``; ``thirdparty`` for the tokens it makes for
an app or an app's Dashboard extension), ``user_id`` (a ``User`` global ID),
``email`` and ``is_staff``. A ``thirdparty`` token also names the ``app`` it
was made for and the user's own permissions (``user_permissions``).

A token is accepted only when all of these hold for the tenant it is used
with: its key is in that Saleor's JWKS, it is not expired, its ``iss`` is that
Saleor's API URL, its type is one a caller signs in with, and a third-party
token was made for this app. Refresh, email-change and HS256 tokens (Saleor's
plugins' own) are refused.
"""

import base64
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from joserfc import jwt
from joserfc.errors import JoseError

from .. import jwks
from ..tenants.models import normalize_api_url
from ..webhooks.translate import pk_of

if TYPE_CHECKING:
    from ..tenants.models import Tenant

ALGORITHMS = ["RS256"]
ACCESS = "access"
THIRD_PARTY = "thirdparty"
# Saleor's tokens are well under 2 KB, a third-party token's permissions
# included; a larger header is refused unread.
MAX_TOKEN_LENGTH = 8 * 1024
# Seconds of clock difference between Saleor and the app allowed on ``exp``.
LEEWAY_SECONDS = 5


class InvalidToken(Exception):
    """Not a token this tenant's Saleor issued, or no longer valid."""


@dataclass(frozen=True)
class SaleorToken:
    type: str
    user_id: str  # the User's primary key, as the journey keeps it
    email: str
    is_staff: bool
    expires: int
    # Third-party tokens only: the app they were made for, and what the
    # Dashboard's user may do in Saleor.
    app: str = ""
    user_permissions: frozenset[str] = frozenset()

    @property
    def is_third_party(self) -> bool:
        return self.type == THIRD_PARTY


def issuer_of(token: str) -> str:
    """The Saleor the token claims to be from (normalized), unverified: it
    only names which tenant's keys verify it; "" if it names none."""
    claims = _unverified_claims(token)
    issuer = claims.get("iss") if claims else None
    return normalize_api_url(issuer) if isinstance(issuer, str) else ""


def verify(token: str, tenant: "Tenant") -> SaleorToken:
    """The token's claims, if the tenant's Saleor issued it; else InvalidToken."""
    header = _header(token)
    try:
        keys = jwks.keys_for(tenant.saleor_api_url, header["kid"])
    except jwks.NoKey as error:
        raise InvalidToken("Invalid token.") from error
    try:
        claims = jwt.decode(token, keys, algorithms=ALGORITHMS).claims
        jwt.JWTClaimsRegistry(
            leeway=LEEWAY_SECONDS, exp={"essential": True}, iss={"essential": True}
        ).validate(claims)
    except JoseError as error:
        if error.error == "expired_token":
            raise InvalidToken("Token expired.") from error
        raise InvalidToken("Invalid token.") from error
    except ValueError as error:
        raise InvalidToken("Invalid token.") from error
    if normalize_api_url(str(claims["iss"])) != tenant.saleor_api_url:
        raise InvalidToken("The token was issued by another Saleor.")
    return _read(claims, tenant)


def _read(claims: dict[str, Any], tenant: "Tenant") -> SaleorToken:
    kind = claims.get("type")
    if kind not in (ACCESS, THIRD_PARTY):
        raise InvalidToken("Send an access token (tokenCreate's, or the Dashboard's).")
    user_id = pk_of(claims.get("user_id"), "User")
    if user_id is None:
        raise InvalidToken("Invalid token.")
    app = str(claims.get("app") or "")
    if kind == THIRD_PARTY and (not app or app != tenant.saleor_app_id):
        raise InvalidToken("The token was made for another app.")
    permissions = claims.get("user_permissions") or []
    if not isinstance(permissions, list):
        raise InvalidToken("Invalid token.")
    return SaleorToken(
        type=kind,
        user_id=user_id,
        email=str(claims.get("email") or ""),
        is_staff=claims.get("is_staff") is True,
        expires=int(claims["exp"]),
        app=app,
        user_permissions=frozenset(str(code) for code in permissions),
    )


def _header(token: str) -> dict[str, Any]:
    if len(token) > MAX_TOKEN_LENGTH:
        raise InvalidToken("Invalid token.")
    try:
        header = json.loads(_b64decode(token.split(".")[0]))
    except (ValueError, TypeError, IndexError) as error:
        raise InvalidToken("Invalid token.") from error
    if not isinstance(header, dict) or header.get("alg") not in ALGORITHMS:
        raise InvalidToken("Invalid token.")
    if not isinstance(header.get("kid"), str) or not header["kid"]:
        raise InvalidToken("Invalid token.")
    return header


def _unverified_claims(token: str) -> dict[str, Any] | None:
    if len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        claims = json.loads(_b64decode(token.split(".")[1]))
    except (ValueError, TypeError, IndexError):
        return None
    return claims if isinstance(claims, dict) else None


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
