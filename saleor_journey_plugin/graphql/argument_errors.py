"""GraphQL's own refusals of an argument value, coded as ours.

graphql-core refuses a value that does not fit its argument's type (an unknown
enum value such as ``interval: HOURLY``, a date that does not exist) before
anything runs, with a message only. Those refusals get the code every other
bad argument gets, ``INVALID``, and the argument's name in
``extensions.exception.field``; for a variable, the argument it is passed to.
"""

import re

from graphql.error import GraphQLError
from graphql.language.ast import Argument, Document, Node, Variable

from .errors import InvalidArgument

_ARGUMENT = re.compile(r'Argument "(\w+)" has invalid value')
_VARIABLE = re.compile(r'Variable "\$(\w+)" got invalid value')


def coded(error: GraphQLError, document: Document) -> GraphQLError:
    """``error``, with ``INVALID`` and the argument when it refuses a value."""
    field = None
    if found := _ARGUMENT.match(error.message or ""):
        field = found.group(1)
    elif found := _VARIABLE.match(error.message or ""):
        field = _argument_taking(document, found.group(1)) or found.group(1)
    if field is not None:
        error.extensions = {"exception": {"code": InvalidArgument.code, "field": field}}
    return error


def _argument_taking(node: Node, variable: str) -> str | None:
    """The name of the first argument whose value is ``$variable`` (or holds it)."""
    if isinstance(node, Argument) and _holds(node.value, variable):
        return node.name.value
    for child in _children(node):
        found = _argument_taking(child, variable)
        if found:
            return found
    return None


def _holds(value: Node, variable: str) -> bool:
    if isinstance(value, Variable):
        return value.name.value == variable
    return any(_holds(child, variable) for child in _children(value))


def _children(node: Node) -> list[Node]:
    found: list[Node] = []
    for name in node.__slots__:
        value = getattr(node, name, None)
        if isinstance(value, Node):
            found.append(value)
        elif isinstance(value, list):
            found.extend(item for item in value if isinstance(item, Node))
    return found
