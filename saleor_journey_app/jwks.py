"""Each tenant's signing keys, as its Saleor publishes them at
``<saleor>/.well-known/jwks.json``: what webhook signatures and Saleor's own
JWTs (customers', staff's, the Dashboard's extension tokens) are checked with.

Keys are cached per Saleor for ``APP_JWKS_TTL_SECONDS``. A signature naming a
``kid`` the cache lacks makes one fresh fetch (Saleor rotated its key); after
such a fetch, unknown kids are refused for a minute without fetching, so
forged kids cannot make the app hammer Saleor. Only a registered tenant's URL
is ever fetched: callers name the tenant, never a URL a request sent.
"""

import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import requests
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from . import conf

REFETCH_AFTER_SECONDS = 60
MAX_JWKS_BYTES = 64 * 1024


class NoKey(Exception):
    """No key of that Saleor can check the signature (unknown kid, or the keys
    could not be read)."""


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


def keys_for(saleor_api_url: str, kid: str) -> KeySet:
    """The Saleor's key set, holding ``kid``; NoKey otherwise."""
    url = jwks_url(saleor_api_url)
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
        raise NoKey("unknown key id")
    fetched = _fetch(url, after_miss=missed)
    with _lock:
        _cache[url] = fetched
    if kid not in fetched.kids:
        raise NoKey("unknown key id")
    return fetched.keys


def forget_keys() -> None:
    """Drop every cached key set (tests; a deployment never needs it)."""
    with _lock:
        _cache.clear()


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
        raise NoKey(f"Saleor's keys could not be read ({error})") from error
    kids = frozenset(
        str(key.get("kid")) for key in data.get("keys", []) if key.get("kid")
    )
    return _Keys(keys=keys, kids=kids, fetched=time.monotonic(), after_miss=after_miss)
