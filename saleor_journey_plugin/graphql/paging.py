"""Opaque page cursors: a kind of row and its id, base64-encoded.

Anything a client sends back that is not a cursor of that kind (or names an
id PostgreSQL's bigint cannot hold) is refused before it reaches the
database.
"""

import base64
import binascii
import re

from .errors import InvalidArgument
from .validation import clean_text

MAX_CURSOR = 64  # ours are under 40 characters


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
        raise InvalidArgument(
            f"'{argument}' is not a cursor this API returned.", field=argument
        )
    return int(found.group(1))
