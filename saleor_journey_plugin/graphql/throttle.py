"""A per-client limit on anonymous calls, counted in Django's cache.

Saleor configures the cache (``CACHE_URL``, Redis in production), so every
worker process shares the count there; with a per-process cache each process
counts on its own, which still bounds a single client.
"""

import hashlib
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache

from .errors import JourneyGraphQLError

DEFAULT_PER_MINUTE = 60
WINDOW_SECONDS = 60


class RateLimited(JourneyGraphQLError):
    code = "RATE_LIMITED"


def check_anonymous_rate(request: Any, scope: str) -> None:
    """Count one anonymous call from this client; raise once it is over the limit."""
    limit = int(
        getattr(settings, "JOURNEY_ANONYMOUS_CALLS_PER_MINUTE", DEFAULT_PER_MINUTE)
    )
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    client = hashlib.sha256(client_address(request).encode()).hexdigest()[:32]
    key = f"journey:throttle:{scope}:{client}:{window}"
    if cache.add(key, 1, timeout=WINDOW_SECONDS):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr: a new window
            cache.add(key, 1, timeout=WINDOW_SECONDS)
            count = 1
    if count > limit:
        retry_after = int((window + 1) * WINDOW_SECONDS - now) + 1
        raise RateLimited(
            f"Too many anonymous calls from this client: at most {limit} a minute. "
            f"Try again in {retry_after} s."
        )


def client_address(request: Any) -> str:
    """The caller's address; X-Forwarded-For is read only behind trusted proxies.

    Anyone can send X-Forwarded-For, so by default the socket's address counts.
    Behind N proxies that each append the address they saw, the Nth entry from
    the right is the first one no client could have written.
    """
    proxies = int(getattr(settings, "JOURNEY_TRUSTED_PROXY_COUNT", 0))
    if request is None:
        return ""
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return str(request.META.get("REMOTE_ADDR", ""))
