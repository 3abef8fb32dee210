"""A staff member's permissions, as Saleor reports them for their token.

An ``access`` token says only ``is_staff``; what the member may do is
Saleor's to say (``me { userPermissions { code } }``, asked with their own
token), and may change at any time, so an answer is kept at most 60 seconds
(never beyond the token's expiry). The token itself is never kept: the cache
is keyed by its SHA-256.
"""

import hashlib
import threading
import time

import requests

from .. import conf
from .tokens import InvalidToken, SaleorToken

TTL_SECONDS = 60
MAX_ENTRIES = 10_000
ME_QUERY = "query JourneyStaffPermissions { me { id userPermissions { code } } }"

_cache: dict[str, tuple[float, frozenset[str]]] = {}
_lock = threading.Lock()


def permissions(api_url: str, raw_token: str, token: SaleorToken) -> frozenset[str]:
    key = hashlib.sha256(f"{api_url} {raw_token}".encode()).hexdigest()
    now = time.time()
    with _lock:
        cached = _cache.get(key)
    if cached is not None and cached[0] > now:
        return cached[1]
    found = _ask(api_url, raw_token)
    with _lock:
        if len(_cache) >= MAX_ENTRIES:
            for stale in [k for k, (until, _) in _cache.items() if until <= now]:
                del _cache[stale]
            if len(_cache) >= MAX_ENTRIES:
                _cache.clear()
        _cache[key] = (min(now + TTL_SECONDS, token.expires), found)
    return found


def forget() -> None:
    """Drop every cached answer (tests)."""
    with _lock:
        _cache.clear()


def _ask(api_url: str, raw_token: str) -> frozenset[str]:
    try:
        response = requests.post(
            api_url,
            json={"query": ME_QUERY},
            headers={"Authorization": f"Bearer {raw_token}"},
            timeout=conf.saleor_timeout_seconds(),
            allow_redirects=False,
        )
        body = response.json()
    except (requests.RequestException, ValueError) as error:
        raise InvalidToken(
            "Saleor could not be asked for this token's permissions; try again."
        ) from error
    me = (body.get("data") or {}).get("me") if isinstance(body, dict) else None
    if response.status_code != 200 or not isinstance(me, dict):
        # Saleor refuses a token it revoked (signed out everywhere,
        # deactivated) though its signature still verifies.
        raise InvalidToken("Saleor no longer accepts this token.")
    return frozenset(
        str(permission.get("code"))
        for permission in me.get("userPermissions") or []
        if isinstance(permission, dict) and permission.get("code")
    )
