"""A stand-in for Saleor's main API: ``POST /graphql/`` answering ``tokenCreate``.

Just enough of Saleor's API for the journey map page to sign staff in: Django
auth users sign in with their email and password and get the example store's
token. Staff users get MANAGE_ORDERS and MANAGE_USERS, other users none.
"""

import json
import logging

import graphene
from django.contrib.auth import authenticate, get_user_model
from django.http import HttpRequest, JsonResponse

from .host import issue_token

logger = logging.getLogger(__name__)

STAFF_PERMISSIONS = ("MANAGE_ORDERS", "MANAGE_USERS")
MAX_BODY_BYTES = 10_000
INVALID_CREDENTIALS = "Please, enter valid credentials"


class AccountError(graphene.ObjectType):
    field = graphene.String()
    message = graphene.String()
    code = graphene.String(required=True)


class CreateToken(graphene.Mutation):
    """Saleor's ``tokenCreate``: a token for an email and password."""

    token = graphene.String()
    errors = graphene.List(graphene.NonNull(AccountError), required=True)

    class Arguments:
        email = graphene.String(required=True)
        password = graphene.String(required=True)

    @staticmethod
    def mutate(root, info, email, password):
        user = _user(email, password)
        if user is None:
            error = AccountError(
                field="email", message=INVALID_CREDENTIALS, code="INVALID_CREDENTIALS"
            )
            return CreateToken(token=None, errors=[error])
        token = issue_token(
            user_id=f"auth-{user.pk}",
            email=user.email,
            permissions=STAFF_PERMISSIONS if user.is_staff else (),
        )
        return CreateToken(token=token, errors=[])


def _user(email: str, password: str):
    found = get_user_model().objects.filter(email__iexact=email.strip()).first()
    if found is None or not password:
        return None
    # Through Django's backends, so inactive users are refused.
    return authenticate(username=found.get_username(), password=password)


class Query(graphene.ObjectType):
    ping = graphene.Boolean(description="True: this API answers tokenCreate only.")

    @staticmethod
    def resolve_ping(root, info):
        return True


class Mutation(graphene.ObjectType):
    token_create = CreateToken.Field()


schema = graphene.Schema(query=Query, mutation=Mutation)


def store_graphql(request: HttpRequest) -> JsonResponse:
    if request.method != "POST":
        return _error("Send GraphQL requests with POST.", 405)
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES:
        return _error("The request body is too large.", 413)
    try:
        body = json.loads(request.body or b"{}")
    except (UnicodeDecodeError, json.JSONDecodeError):
        return _error("The request body is not JSON.", 400)
    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        return _error("The request body needs a 'query' string.", 400)
    variables = body.get("variables") or {}
    if not isinstance(variables, dict):
        return _error("'variables' must be an object.", 400)
    result = schema.execute(
        body["query"],
        variable_values=variables,
        operation_name=body.get("operationName"),
    )
    payload: dict = {"data": result.data}
    if result.errors:
        payload["errors"] = [_message(error) for error in result.errors]
    return JsonResponse(payload, json_dumps_params={"ensure_ascii": False})


def _message(error: Exception) -> dict:
    original = getattr(error, "original_error", None)
    if original is not None:
        # A failure inside the resolver: its details stay in the log.
        logger.error("tokenCreate failed", exc_info=original)
        return {"message": "Internal server error"}
    return {"message": str(error)}


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"errors": [{"message": message}]}, status=status)
