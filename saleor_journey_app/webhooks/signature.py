"""Saleor's webhook signature: a detached JWS (RS256, unencoded payload per
RFC 7797) over the raw body, in the ``Saleor-Signature`` header, made with the
key Saleor publishes at ``<saleor>/.well-known/jwks.json``.

Keys are cached per Saleor for ``APP_JWKS_TTL_SECONDS``. A signature naming a
``kid`` the cache lacks makes one fresh fetch (Saleor rotated its key); after
such a fetch, unknown kids are refused for a minute without fetching, so
forged kids cannot make the app hammer Saleor. HMAC ``secretKey`` signatures
(deprecated) are never accepted.
"""

import base64
import json
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import requests
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from .. import conf

ALGORITHMS = ["RS256"]
REFETCH_AFTER_SECONDS = 60
MAX_JWKS_BYTES = 64 * 1024


class BadSignature(Exception):
    pass


@dataclass
class _Keys:
    keys: KeySet
    kids: frozenset[str]
    fetched: float
    # Fetched because a signature named a kid the cache lacked.
    after_miss: bool = False


_cache: dict[str, _Keys] = {}
_lock = threading.Lock()


def jwks_url(saleor_api_url: str) -> str:
    parts = urlsplit(saleor_api_url)
    return urlunsplit((parts.scheme, parts.netloc, "/.well-known/jwks.json", "", ""))


def verify(saleor_api_url: str, body: bytes, signature: str) -> None:
    """Return quietly if ``signature`` is Saleor's over ``body``; else BadSignature."""
    kid = _kid_of(signature)
    url = jwks_url(saleor_api_url)
    keys = _keys(url, kid)
    try:
        jws.deserialize_compact(signature, keys, algorithms=ALGORITHMS, payload=body)
    except (JoseError, ValueError) as error:
        raise BadSignature(
            f"signature does not verify ({type(error).__name__})"
        ) from error


def forget_keys() -> None:
    """Drop every cached key set (tests; a deployment never needs it)."""
    with _lock:
        _cache.clear()


def _kid_of(signature: str) -> str:
    try:
        header_part, payload_part, _ = signature.split(".")
        header = json.loads(_b64decode(header_part))
    except (ValueError, TypeError) as error:
        raise BadSignature("not a compact JWS") from error
    if payload_part:
        raise BadSignature("the payload is not detached")
    if not isinstance(header, dict) or header.get("alg") not in ALGORITHMS:
        raise BadSignature("not an RS256 signature")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise BadSignature("the signature names no key")
    return kid


def _keys(url: str, kid: str) -> KeySet:
    now = time.monotonic()
    with _lock:
        cached = _cache.get(url)
    fresh = cached is not None and now - cached.fetched < conf.jwks_ttl_seconds()
    if fresh and cached is not None and kid in cached.kids:
        return cached.keys
    missed = cached is not None and fresh
    if (
        cached is not None
        and missed
        and cached.after_miss
        and now - cached.fetched < REFETCH_AFTER_SECONDS
    ):
        raise BadSignature("unknown key id")
    fetched = _fetch(url, after_miss=missed)
    with _lock:
        _cache[url] = fetched
    if kid not in fetched.kids:
        raise BadSignature("unknown key id")
    return fetched.keys


def _fetch(url: str, after_miss: bool) -> _Keys:
    try:
        response = requests.get(
            url, timeout=conf.saleor_timeout_seconds(), allow_redirects=False
        )
        response.raise_for_status()
        if len(response.content) > MAX_JWKS_BYTES:
            raise ValueError("JWKS too large")
        data = response.json()
        keys = KeySet.import_key_set(data)
    except (requests.RequestException, ValueError, JoseError) as error:
        raise BadSignature(f"Saleor's keys could not be read ({error})") from error
    kids = frozenset(
        str(key.get("kid")) for key in data.get("keys", []) if key.get("kid")
    )
    return _Keys(keys=keys, kids=kids, fetched=time.monotonic(), after_miss=after_miss)


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
