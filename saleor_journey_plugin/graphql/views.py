"""The HTTP side of the journey API: CORS, authentication, execution."""

import json
import logging
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from graphql.error import GraphQLError, format_error

from ..core.host import AuthenticationFailed, get_host
from .context import JourneyContext
from .schema import schema

logger = logging.getLogger(__name__)


def graphql_response(request: HttpRequest, channel: str) -> HttpResponse:
    """Answer one GraphQL request for ``channel``; any host routes here."""
    if request.method == "OPTIONS":
        return _with_cors(request, HttpResponse(status=200))
    if request.method != "POST":
        return _with_cors(request, _error("Send GraphQL requests with POST.", 405))
    host = get_host()
    channel_settings = host.channel_settings(channel)
    if channel_settings is None:
        return _with_cors(request, _error(f"No journey in channel '{channel}'.", 404))
    try:
        body = _parse_body(request)
    except ValueError as error:
        return _with_cors(request, _error(str(error), 400))
    try:
        viewer = host.authenticate(request)
    except AuthenticationFailed as error:
        return _with_cors(request, _error(str(error), 401, code="InvalidToken"))

    result = schema.execute(
        body["query"],
        variable_values=body.get("variables") or {},
        operation_name=body.get("operationName"),
        context_value=JourneyContext(
            viewer=viewer, channel=channel, settings=channel_settings, request=request
        ),
    )
    payload: dict[str, Any] = {"data": result.data}
    if result.errors:
        _log_unexpected(result.errors)
        payload["errors"] = [format_error(error) for error in result.errors]
    status = 400 if result.invalid else 200
    return _with_cors(
        request,
        JsonResponse(payload, status=status, json_dumps_params={"ensure_ascii": False}),
    )


def _log_unexpected(errors: list[Exception]) -> None:
    # graphql-core logs every resolver error and Saleor mutes that logger; our
    # own errors are answers, anything else is a bug worth a traceback.
    for error in errors:
        original = getattr(error, "original_error", None)
        if original is not None and not isinstance(original, GraphQLError):
            logger.error("Journey GraphQL resolver failed", exc_info=original)


def _parse_body(request: HttpRequest) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"{}")
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"The request body is not JSON: {error}") from error
    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        raise ValueError("The request body needs a 'query' string.")
    variables = body.get("variables")
    if variables is not None and not isinstance(variables, dict):
        raise ValueError("'variables' must be an object.")
    return body


def _error(message: str, status: int, code: str = "BadRequest") -> JsonResponse:
    error = {"message": message, "extensions": {"exception": {"code": code}}}
    return JsonResponse({"errors": [error]}, status=status)


def _with_cors(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    # Same setting Saleor's own GraphQL view reads, so one list serves both APIs.
    allowed = getattr(settings, "ALLOWED_GRAPHQL_ORIGINS", "*")
    origin = request.headers.get("Origin")
    if allowed == "*" or allowed == ["*"]:
        response["Access-Control-Allow-Origin"] = "*"
    elif origin and origin in allowed:
        response["Access-Control-Allow-Origin"] = origin
        response["Vary"] = "Origin"
    response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
    response["Access-Control-Allow-Headers"] = (
        "Origin, Content-Type, Accept, Authorization, Authorization-Bearer"
    )
    response["Access-Control-Max-Age"] = "86400"
    return response
