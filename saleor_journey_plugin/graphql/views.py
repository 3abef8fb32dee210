"""The HTTP side of the journey API: CORS, sizes, authentication, execution."""

import json
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import patch_vary_headers

from ..core.host import AuthenticationFailed, get_host
from . import operation
from .context import JourneyContext

logger = logging.getLogger(__name__)

# Our operations are a few hundred characters; introspection is under 2,000.
MAX_QUERY_LENGTH = 20_000
# The query, its variables and JSON's escaping, with room to spare.
MAX_BODY_BYTES = 100_000


class _TooLarge(ValueError):
    pass


def graphql_response(request: HttpRequest, channel: str) -> HttpResponse:
    """Answer one GraphQL request for ``channel``; any host routes here."""
    try:
        response = _respond(request, channel)
    except Exception:
        # Whatever failed (the host's database, a bug), its details stay here.
        logger.exception("Journey GraphQL request failed")
        response = _error(
            operation.INTERNAL_ERROR_MESSAGE, 500, code=operation.INTERNAL_ERROR
        )
    return _with_cors(request, response)


def preflight(request: HttpRequest) -> HttpResponse:
    """The CORS answer to a preflight, for a host that cannot tell which store
    a request is for until it comes (the Saleor App reads it from the token or
    a header a preflight does not carry)."""
    return _with_cors(request, HttpResponse(status=200))


def refusal(
    request: HttpRequest, message: str, status: int, code: str = "BadRequest"
) -> HttpResponse:
    """An error in the API's own shape, with CORS, for a host that refuses a
    request before it reaches :func:`graphql_response`."""
    return _with_cors(request, _error(message, status, code=code))


def _respond(request: HttpRequest, channel: str) -> HttpResponse:
    host = get_host()
    if request.method == "OPTIONS":
        if host.channel_settings(channel) is None:
            return _no_journey(channel)
        return HttpResponse(status=200)
    if request.method != "POST":
        return _error("Send GraphQL requests with POST.", 405)
    channel_settings = host.channel_settings(channel)
    if channel_settings is None:
        return _no_journey(channel)
    try:
        body = _parse_body(request)
    except _TooLarge as error:
        return _error(str(error), 413, code="RequestTooLarge")
    except ValueError as error:
        return _error(str(error), 400)
    variables = body.get("variables") or {}
    operation_name = body.get("operationName")
    # Limits first: a refused query costs no authentication and no query.
    try:
        document = operation.check(body["query"], variables, operation_name)
    except operation.Refused as refused:
        return _json(refused.answer)
    try:
        viewer = host.authenticate(request)
    except AuthenticationFailed as error:
        return _error(str(error), 401, code="InvalidToken")
    context = JourneyContext(
        viewer=viewer, channel=channel, settings=channel_settings, request=request
    )
    return _json(operation.run(document, variables, operation_name, context))


def _parse_body(request: HttpRequest) -> dict[str, Any]:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise ValueError("The Content-Length header is not a number.") from None
    if length > MAX_BODY_BYTES:
        raise _TooLarge(
            f"The request body is {length} bytes; at most {MAX_BODY_BYTES} are allowed."
        )
    try:
        raw = request.body
    except RequestDataTooBig:
        # The store's DATA_UPLOAD_MAX_MEMORY_SIZE is below ours.
        raise _TooLarge(
            "The request body is larger than this server accepts."
        ) from None
    try:
        body = json.loads(raw or b"{}")
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"The request body is not JSON: {error}") from error
    except RecursionError:
        raise ValueError("The request body is nested too deeply.") from None
    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        raise ValueError("The request body needs a 'query' string.")
    if len(body["query"]) > MAX_QUERY_LENGTH:
        raise _TooLarge(
            f"The query is {len(body['query'])} characters long; at most "
            f"{MAX_QUERY_LENGTH} are allowed."
        )
    variables = body.get("variables")
    if variables is not None and not isinstance(variables, dict):
        raise ValueError("'variables' must be an object.")
    operation_name = body.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        raise ValueError("'operationName' must be a string.")
    return body


def _json(answer: operation.Answer) -> JsonResponse:
    return JsonResponse(
        answer.payload,
        status=answer.status,
        json_dumps_params={"ensure_ascii": False},
    )


def _no_journey(channel: str) -> JsonResponse:
    return _error(f"No journey in channel '{channel}'.", 404)


def _error(message: str, status: int, code: str = "BadRequest") -> JsonResponse:
    error = {"message": message, "extensions": {"exception": {"code": code}}}
    return JsonResponse({"errors": [error]}, status=status)


def _with_cors(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    # Same setting Saleor's own GraphQL view reads, so one list serves both APIs.
    allowed = getattr(settings, "ALLOWED_GRAPHQL_ORIGINS", "*")
    origin = request.headers.get("Origin")
    if allowed == "*" or allowed == ["*"]:
        response["Access-Control-Allow-Origin"] = "*"
    else:
        # The answer names the origin or leaves it out, so a shared cache must
        # key on Origin for every response, refusals included.
        patch_vary_headers(response, ["Origin"])
        if origin and origin in allowed:
            response["Access-Control-Allow-Origin"] = origin
    response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
    response["Access-Control-Allow-Headers"] = (
        "Origin, Content-Type, Accept, Authorization, Authorization-Bearer, "
        # The Saleor App's anonymous callers name their Saleor with it.
        "Saleor-Api-Url"
    )
    response["Access-Control-Max-Age"] = "86400"
    return response
