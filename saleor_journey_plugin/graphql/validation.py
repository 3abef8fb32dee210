"""Checking what callers send before any of it reaches the database.

Every string argument passes through here: a value that is too long or holds a
control character (PostgreSQL rejects NUL outright) is answered with an error
naming the argument, and nothing is stored.
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from ..core.events import is_storable_email
from .errors import InvalidArgument

MAX_EMAIL = 254  # RFC 5321's limit for a whole address
# C0 controls (NUL included) and DEL; tabs and newlines are no better in an id.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean_text(
    value: str | None,
    field: str,
    max_length: int,
    *,
    required: bool = False,
    pattern: re.Pattern[str] | None = None,
    pattern_hint: str = "",
) -> str:
    """``value`` stripped, or an ``InvalidArgument`` naming ``field``."""
    text = (value or "").strip()
    if required and not text:
        raise InvalidArgument(f"'{field}' must not be empty.", field=field)
    if len(text) > max_length:
        raise InvalidArgument(
            f"'{field}' must be at most {max_length} characters, got {len(text)}.",
            field=field,
        )
    if _CONTROL.search(text):
        raise InvalidArgument(
            f"'{field}' must not contain control characters.", field=field
        )
    if text and pattern is not None and not pattern.fullmatch(text):
        raise InvalidArgument(f"'{field}' must be {pattern_hint}.", field=field)
    return text


def clean_email(value: str | None, field: str = "email") -> str:
    """A syntactically valid address of at most 254 characters, or empty."""
    email = clean_text(value, field, MAX_EMAIL)
    if not email:
        return ""
    try:
        validate_email(email)
        if not is_storable_email(email):
            raise ValidationError("look-alike")
    except ValidationError:
        raise InvalidArgument(
            f"'{field}' is not a valid email address.", field=field
        ) from None
    return email
