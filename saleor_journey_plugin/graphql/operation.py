"""One GraphQL operation: refused before it runs if too big, then run.

``check`` parses, measures, validates and costs the query without touching the
database; ``run`` executes it.
"""

import logging
from dataclasses import dataclass
from typing import Any

from graphql.error import GraphQLError, format_error
from graphql.execution import execute
from graphql.execution.executors.sync import SyncExecutor
from graphql.execution.utils import ExecutionContext
from graphql.language.ast import Document
from graphql.language.parser import parse
from graphql.validation import validate

from .context import JourneyContext
from .cost import MAX_COST, query_cost
from .errors import QueryCostError, QueryTooComplex
from .schema import schema
from .shape import MAX_DEPTH, check_shape

logger = logging.getLogger(__name__)


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
        raise Refused(errors)
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
    cost = query_cost(
        schema, prepared.operation, prepared.fragments, prepared.variable_values
    )
    if cost > MAX_COST:
        raise QueryCostError(cost, MAX_COST)
    return document


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
    result = execute(
        schema,
        document,
        context_value=context,
        variable_values=variables,
        operation_name=operation_name,
    )
    payload: dict[str, Any] = {"data": result.data}
    if result.errors:
        _log_unexpected(result.errors)
        payload["errors"] = [format_error(error) for error in result.errors]
    return Answer(payload, 400 if result.invalid else 200)


def _log_unexpected(errors: list[Exception]) -> None:
    # graphql-core logs every resolver error and Saleor mutes that logger; our
    # own errors are answers, anything else is a bug worth a traceback.
    for error in errors:
        original = getattr(error, "original_error", None)
        if original is not None and not isinstance(original, GraphQLError):
            logger.error("Journey GraphQL resolver failed", exc_info=original)
