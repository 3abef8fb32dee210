"""A small GraphQL client for Saleor's API with an app token.

5xx answers and network errors are tried again with exponential backoff.
Saleor does not answer a revoked app token with 401: it treats the caller as
anonymous (``app`` is null, mutations fail with PermissionDenied). So a 401, or
a PermissionDenied after which ``{ app { id } }`` names no app, means the token
no longer works: the tenant is marked as needing a reinstall.

The token goes only into the Authorization header; it is never logged, and
errors raised here never carry it.
"""

import logging
import time
from typing import Any

import requests

from .. import conf

logger = logging.getLogger(__name__)

ATTEMPTS = 4
APP_ID_QUERY = "query AppId { app { id identifier } }"
PERMISSION_DENIED = "PermissionDenied"


class SaleorError(Exception):
    """Saleor could not be reached, or answered with errors."""


class TokenRevoked(SaleorError):
    """Saleor no longer accepts the app token: the app must be installed again."""


def execute(
    api_url: str, token: str, query: str, variables: dict | None = None
) -> dict[str, Any]:
    """The ``data`` of Saleor's answer; SaleorError / TokenRevoked otherwise."""
    body = _post(api_url, token, {"query": query, "variables": variables or {}})
    errors = body.get("errors") or []
    if errors:
        codes = {_code(error) for error in errors}
        if (
            PERMISSION_DENIED in codes
            and query != APP_ID_QUERY
            and not app_id(api_url, token)
        ):
            raise TokenRevoked("Saleor no longer knows the app's token")
        messages = "; ".join(str(error.get("message", "")) for error in errors)
        raise SaleorError(f"Saleor answered with errors: {messages}")
    return body.get("data") or {}


def app_id(api_url: str, token: str) -> str:
    """The app's ID as Saleor knows the token; "" when it knows none."""
    return whose_token(api_url, token)[0]


def whose_token(api_url: str, token: str) -> tuple[str, str]:
    """(ID, identifier) of the app the token is Saleor's for; ("", "") if none."""
    data = _post(api_url, token, {"query": APP_ID_QUERY})
    app = (data.get("data") or {}).get("app") or {}
    return str(app.get("id") or ""), str(app.get("identifier") or "")


def _post(api_url: str, token: str, payload: dict) -> dict[str, Any]:
    delay = conf.saleor_backoff_seconds()
    for attempt in range(1, ATTEMPTS + 1):
        try:
            response = requests.post(
                api_url,
                json=payload,
                headers={"Authorization": f"Bearer {token}"},
                timeout=conf.saleor_timeout_seconds(),
                allow_redirects=False,
            )
        except requests.RequestException as error:
            problem = f"network error ({type(error).__name__})"
        else:
            if response.status_code == 401:
                raise TokenRevoked("Saleor answered 401 to the app's token")
            if response.status_code < 500:
                return _json(response)
            problem = f"HTTP {response.status_code}"
        if attempt == ATTEMPTS:
            raise SaleorError(f"Saleor at {api_url}: {problem}, {ATTEMPTS} attempts")
        logger.warning("Saleor at %s: %s; trying again", api_url, problem)
        time.sleep(delay)
        delay *= 2
    raise AssertionError("unreachable")


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise SaleorError(f"Saleor answered HTTP {response.status_code}, not JSON")
    return body


def _code(error: dict) -> str:
    extensions = error.get("extensions") or {}
    exception = extensions.get("exception") or {}
    return str(exception.get("code") or extensions.get("code") or "")
