"""One spec for every channel setting: what a host shows, and how it is read.

A :class:`Field` carries what a configuration page needs to render it (name,
label, help, kind, choices, default as text) and how its text is read
(``parse``: the typed value, or :class:`FieldError` saying what is allowed).
Each capability lists its fields in a :class:`Section`; the Saleor plugin's
configuration, the example store and the Saleor App's page are all generated
from those lists. The rules below (whole number, boolean, choice, URL, email
address, decimal) are written here once; a capability's own syntax (campaign
steps, loyalty tiers) is parsed in the capability.

Every value arrives as text: dashboards store strings, Saleor a boolean for a
switch, settings files numbers. Empty means the default.
"""

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from email.utils import parseaddr
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator


class FieldKind(StrEnum):
    TEXT = "text"
    MULTILINE = "multiline"
    BOOLEAN = "boolean"
    # Shown once and read back masked (Saleor shows its last four characters).
    SECRET = "secret"


class FieldError(ValueError):
    """A value the engine cannot use; the message says what is allowed."""


# A parser gets the text and what its messages call the field.
Parser = Callable[[str, str], Any]


@dataclass(frozen=True)
class Field:
    name: str
    default: str
    label: str
    help: str
    parse: Parser
    kind: FieldKind = FieldKind.TEXT
    # The values a form may offer as a list; empty: free text.
    choices: tuple[str, ...] = ()
    # What error messages call the field; empty: its name.
    noun: str = ""

    def text(self, raw: object) -> str:
        """The text of a stored value; the default when there is none."""
        if raw is None or raw == "":
            return self.default
        return str(raw).strip()

    def read(self, raw: object) -> Any:
        return self.parse(self.text(raw), self.noun or self.name)


@dataclass(frozen=True)
class Section:
    """A capability's fields and what it makes of their values.

    ``build`` turns the values of every section (parsed, a bad one replaced by
    its default) into the capability's part of ``ChannelSettings``, as its
    attribute names. ``check`` finds what no single field can (one field
    required when another is on).
    """

    name: str
    fields: Callable[[], Sequence[Field]]
    build: Callable[[Mapping[str, Any]], Mapping[str, Any]]
    check: Callable[[Mapping[str, Any]], Mapping[str, str]] = lambda values: {}


def read(
    fields: Sequence[Field], raw: Mapping[str, object]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Each field's value and, for each bad one, what is wrong (its default
    stands in for it: a stale bad value must not stop the engine)."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in fields:
        try:
            values[field.name] = field.read(raw.get(field.name))
        except FieldError as error:
            errors[field.name] = str(error)
            values[field.name] = field.read(None)
    return values, errors


# -- Rules ---------------------------------------------------------------------
# str.isdigit() admits "²" and other digits int() refuses: ASCII only.
_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")
_BOOLEANS = {"true": True, "false": False}
_URL = re.compile(r"https?://[^\s/{}]+(/[^\s]*)?")


def whole(text: str, low: int, high: int) -> int | None:
    """``text`` as a whole number from ``low`` to ``high``; None if it is not."""
    if not _WHOLE_NUMBER.fullmatch(text) or not low <= int(text) <= high:
        return None
    return int(text)


def whole_number(low: int, high: int) -> Parser:
    def parse(text: str, noun: str) -> int:
        found = whole(text, low, high)
        if found is None:
            raise FieldError(
                f"{noun} must be a whole number from {low} to {high}, got '{text}'."
            )
        return found

    return parse


def boolean(text: str, noun: str) -> bool:
    try:
        return _BOOLEANS[text.lower()]
    except KeyError:
        raise FieldError(f"{noun} must be true or false, got '{text}'.") from None


def one_of(choices: Callable[[], Collection[str]], message: str) -> Parser:
    """One of ``choices`` (read when first needed); ``message`` names the
    value as ``{value}``."""

    def parse(text: str, noun: str) -> str:
        if text not in choices():
            raise FieldError(message.format(value=text))
        return text

    return parse


def http_url(placeholder: str = "", of: str = "") -> Parser:
    """An http(s) URL holding ``placeholder`` (when given), or empty; ``of``
    names what it points at in the error."""
    wanted = f" with {placeholder}" if placeholder else f" of {of}" if of else ""

    def parse(text: str, noun: str) -> str:
        if text and (not _URL.fullmatch(text) or placeholder not in text):
            raise FieldError(f"{noun} must be an http(s) URL{wanted}, got '{text}'.")
        return text

    return parse


def sender_address(text: str, noun: str) -> str:
    """An email address, optionally with a name (``Shop <shop@example.com>``),
    or empty."""
    if text and not _is_sender(text):
        raise FieldError(
            f"{noun} must be an email address, optionally with a name "
            f"('Shop <shop@example.com>'), got '{text}'."
        )
    return text


def _is_sender(text: str) -> bool:
    _, address = parseaddr(text)
    try:
        EmailValidator()(address)
    except ValidationError:
        return False
    return "\n" not in text and "\r" not in text


def positive_decimal(places: int, example: str) -> Parser:
    pattern = re.compile(rf"[0-9]{{1,9}}(\.[0-9]{{1,{places}}})?")

    def parse(text: str, noun: str) -> Decimal:
        if not pattern.fullmatch(text) or Decimal(text) <= 0:
            raise FieldError(
                f"{noun} must be a number greater than 0 with at most {places} "
                f"decimals, e.g. {example}, got '{text}'."
            )
        return Decimal(text)

    return parse


def anything(text: str, noun: str) -> str:
    return text
