"""Per-caller limits on storefront calls, counted in Django's cache.

Anonymous calls are counted per client address, signed-in customers per
account: anyone can register, so an account is no licence to flood the event
log. Callers holding a permission (staff, apps) are not counted: the store
granted them their tokens.

Saleor configures the cache (``CACHE_URL``, Redis in production), so every
worker process shares the count there; with a per-process cache each process
counts on its own, which still bounds a single caller.
"""

import hashlib
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache

from ..core.host import Viewer
from .errors import JourneyGraphQLError

DEFAULT_PER_MINUTE = 60
DEFAULT_CUSTOMER_PER_MINUTE = 120
WINDOW_SECONDS = 60
DEFAULT_OPT_INS_PER_HOUR = 10
OPT_IN_WINDOW_SECONDS = 60 * 60


class RateLimited(JourneyGraphQLError):
    code = "RATE_LIMITED"


def check_rate(viewer: Viewer, request: Any, scope: str) -> None:
    """Count one call by this caller; raise once they are over their limit."""
    if viewer.permissions:
        return
    if viewer.is_customer:
        limit = getattr(
            settings, "JOURNEY_CUSTOMER_CALLS_PER_MINUTE", DEFAULT_CUSTOMER_PER_MINUTE
        )
        caller, calls = f"user:{viewer.user_id}", "calls from this account"
    else:
        limit = getattr(
            settings, "JOURNEY_ANONYMOUS_CALLS_PER_MINUTE", DEFAULT_PER_MINUTE
        )
        caller = f"client:{client_address(request)}"
        calls = "anonymous calls from this client"
    _count(scope, caller, int(limit), WINDOW_SECONDS, f"{calls}: at most {{}} a minute")


def check_opt_in_rate(request: Any) -> None:
    """Count one anonymous newsletter sign-up from this client.

    Each sign-up mails a confirmation to the address it names; the address
    itself gets one a day at most, and this keeps one client from making the
    store mail many addresses.
    """
    limit = int(getattr(settings, "JOURNEY_OPT_INS_PER_HOUR", DEFAULT_OPT_INS_PER_HOUR))
    caller = f"client:{client_address(request)}"
    _count(
        "opt-in",
        caller,
        limit,
        OPT_IN_WINDOW_SECONDS,
        "sign-ups from this client: at most {} an hour",
    )


def _count(scope: str, caller: str, limit: int, seconds: int, too_many: str) -> None:
    now = time.time()
    window = int(now // seconds)
    # Hashed: the cache need not hold addresses or account ids in clear.
    digest = hashlib.sha256(caller.encode()).hexdigest()[:32]
    key = f"journey:throttle:{scope}:{digest}:{window}"
    if cache.add(key, 1, timeout=seconds):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr: a new window
            cache.add(key, 1, timeout=seconds)
            count = 1
    if count > limit:
        retry_after = int((window + 1) * seconds - now) + 1
        raise RateLimited(
            f"Too many {too_many.format(limit)}. Try again in {retry_after} s."
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
