"""One GraphQL operation: refused before it runs if too big, answered safely after.

``check`` parses, measures, validates and costs the query without touching the
database; ``run`` executes it. Errors the API means to give (ours, syntax,
validation, limits) are shown as they are; anything else is a bug or an outage
and is answered with a generic message and logged once with its traceback.
"""

import logging
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from graphql.error import GraphQLError, format_error
from graphql.execution import ExecutionResult, execute
from graphql.execution.executors.sync import SyncExecutor
from graphql.execution.utils import ExecutionContext
from graphql.language.ast import Document
from graphql.language.parser import parse
from graphql.validation import validate

from .argument_errors import coded
from .context import JourneyContext
from .cost import MAX_COST, query_cost
from .errors import JourneyGraphQLError, QueryCostError, QueryTooComplex
from .schema import schema
from .shape import MAX_DEPTH, check_shape

logger = logging.getLogger(__name__)

INTERNAL_ERROR = "INTERNAL_ERROR"
INTERNAL_ERROR_MESSAGE = "Internal server error"


@dataclass(frozen=True)
class Answer:
    payload: dict[str, Any]
    status: int


class Refused(Exception):
    """The query will not run; ``answer`` says why."""

    def __init__(self, errors: list[GraphQLError], extensions: dict | None = None):
        payload: dict[str, Any] = {
            "data": None,
            "errors": [format_error(e) for e in errors],
        }
        if extensions:
            payload["extensions"] = extensions
        self.answer = Answer(payload, 400)


def check(query: str, variables: dict, operation_name: str | None) -> Document:
    """The parsed document, once it is within every limit and valid."""
    try:
        document = _checked(query, variables, operation_name)
    except RecursionError:
        # The parser recurses once per level, before our depth count can look.
        too_deep = QueryTooComplex(
            f"The query is nested too deeply; at most {MAX_DEPTH} levels are allowed."
        )
        raise _refused(too_deep) from None
    except GraphQLError as error:
        raise _refused(error) from None
    return document


def _checked(query: str, variables: dict, operation_name: str | None) -> Document:
    document = parse(query)
    check_shape(document)
    errors = validate(schema, document)
    if errors:
        raise Refused([coded(error, document) for error in errors])
    try:
        cost = measured_cost(document, variables, operation_name)
    except GraphQLError as error:  # a variable's value refused
        raise Refused([coded(error, document)]) from None
    if cost > MAX_COST:
        raise QueryCostError(cost, MAX_COST)
    return document


def measured_cost(
    document: Document, variables: dict, operation_name: str | None
) -> int:
    """The cost of the operation execution will run, before it runs."""
    # graphql-core's own choice of operation and coercion of variables, so the
    # cost is that of what execution will run.
    prepared = ExecutionContext(
        schema=schema,
        document_ast=document,
        root_value=None,
        context_value=None,
        variable_values=variables,
        operation_name=operation_name,
        executor=SyncExecutor(),
        middleware=None,
        allow_subscriptions=False,
    )
    return query_cost(
        schema, prepared.operation, prepared.fragments, prepared.variable_values
    )


def _refused(error: GraphQLError) -> Refused:
    if not isinstance(error, QueryTooComplex):
        return Refused([error])
    # A line to spot someone probing the limits by; the client has the details.
    logger.info("Journey GraphQL query refused: %s", error)
    cost = error.extensions.get("cost")
    return Refused([error], extensions={"cost": cost} if cost else None)


def run(
    document: Document,
    variables: dict,
    operation_name: str | None,
    context: JourneyContext,
) -> Answer:
    token = _executing.set(True)
    try:
        result = execute(
            schema,
            document,
            context_value=context,
            variable_values=variables,
            operation_name=operation_name,
        )
    finally:
        _executing.reset(token)
    return _answer(result)


def _answer(result: ExecutionResult) -> Answer:
    payload: dict[str, Any] = {"data": result.data}
    if result.errors:
        payload["errors"] = [_shown(error) for error in result.errors]
    return Answer(payload, 400 if result.invalid else 200)


def _shown(error: Exception) -> dict[str, Any]:
    cause = error
    while getattr(cause, "original_error", None) is not None:
        cause = cause.original_error  # type: ignore[attr-defined]
    if isinstance(cause, JourneyGraphQLError):
        return format_error(error)
    logger.error("Journey GraphQL field failed", exc_info=cause)
    shown = {
        key: value
        for key, value in format_error(error).items()
        if key in ("locations", "path")
    }
    return {
        "message": INTERNAL_ERROR_MESSAGE,
        **shown,
        "extensions": {"exception": {"code": INTERNAL_ERROR}},
    }


# graphql-core logs every resolver error with its traceback, twice (it cannot
# tell an answer from a failure); while our operation runs, _shown decides.
_executing: ContextVar[bool] = ContextVar("journey_graphql_executing", default=False)


class _MutedWhileExecuting(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not _executing.get()


_MUTED = _MutedWhileExecuting()
for _name in ("graphql.execution.executor", "graphql.execution.utils"):
    logging.getLogger(_name).addFilter(_MUTED)
