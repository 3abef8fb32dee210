"""Pages of a list: their size, their opaque cursors, their type and answer.

A cursor is a kind of row and its id, base64-encoded. Anything a client sends
back that is not a cursor of that kind (or names an id PostgreSQL's bigint
cannot hold) is refused before it reaches the database.
"""

import base64
import binascii
import re
from collections.abc import Sequence
from typing import Any

import graphene

from .errors import InvalidArgument
from .validation import clean_text

MAX_PAGE = 100
MAX_CURSOR = 64  # ours are under 40 characters


def page_size_arg(default: int = 20) -> graphene.Int:
    """A list's ``first`` argument."""
    return graphene.Int(default_value=default, description=f"1 to {MAX_PAGE}.")


def check_page_size(first: int, argument: str = "first") -> None:
    if not 1 <= first <= MAX_PAGE:
        raise InvalidArgument(
            f"'{argument}' must be between 1 and {MAX_PAGE}, got {first}.",
            field=argument,
        )


def encode_cursor(kind: str, row_id: int) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{row_id}".encode()).decode()


def decode_cursor(kind: str, cursor: str, argument: str = "after") -> int:
    cursor = clean_text(cursor, argument, MAX_CURSOR)
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    found = re.fullmatch(rf"{re.escape(kind)}:([1-9][0-9]{{0,17}})", text)
    if found is None:
        raise not_a_cursor(argument)
    return int(found.group(1))


def not_a_cursor(argument: str = "after") -> InvalidArgument:
    """The refusal of a cursor: malformed, of another kind, or not on this list."""
    return InvalidArgument(
        f"'{argument}' is not a cursor this API returned.", field=argument
    )


def connection_type(
    name: str, node: type[graphene.ObjectType], page_info: str
) -> type[graphene.ObjectType]:
    """``{name}Connection``: edges (``{name}Edge``) of ``node`` and a page info.

    Every list pages alike; each has its own page-info type, named by
    ``page_info``, as the schema has always had.
    """
    info = type(
        page_info,
        (graphene.ObjectType,),
        {
            "has_next_page": graphene.Boolean(required=True),
            "end_cursor": graphene.String(),
        },
    )
    edge = type(
        f"{name}Edge",
        (graphene.ObjectType,),
        {
            "node": graphene.Field(node, required=True),
            "cursor": graphene.String(required=True),
        },
    )
    return type(
        f"{name}Connection",
        (graphene.ObjectType,),
        {
            "edges": graphene.NonNull(graphene.List(graphene.NonNull(edge))),
            "page_info": graphene.Field(info, required=True),
        },
    )


def connection(rows: Sequence[Any], has_next: bool, kind: str) -> dict[str, Any]:
    """A page of ``rows`` (each with a ``pk``), as a connection type reads it."""
    edges = [{"node": row, "cursor": encode_cursor(kind, row.pk)} for row in rows]
    return {
        "edges": edges,
        "page_info": {
            "has_next_page": has_next,
            "end_cursor": edges[-1]["cursor"] if edges else None,
        },
    }
