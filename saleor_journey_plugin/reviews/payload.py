"""The review webhook's JSON body, checked field by field."""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from ..core.events import is_storable_email, normalize_email

MAX_BODY_BYTES = 64 * 1024
MAX_ID_LENGTH = 255
MAX_EMAIL_LENGTH = 254
MAX_TITLE_LENGTH = 255
MAX_TEXT_LENGTH = 10_000
MAX_PHOTOS = 1000
RATINGS = range(1, 6)
# A review written "in the future" by more than the signatures' tolerance is a
# clock error; taking it would also block every later edit (see receive.py).
FUTURE_TOLERANCE = timedelta(minutes=5)


class PayloadError(Exception):
    """The body cannot be taken; ``field`` names the culprit (None: the body itself)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class BodyTooLarge(Exception):
    pass


@dataclass(frozen=True)
class ReviewData:
    review_id: str
    rating: int
    email: str
    title: str = ""
    body: str = ""
    product: str = ""
    order: str = ""
    created_at: datetime | None = None
    photos: int = 0

    def content(self) -> tuple[Any, ...]:
        """What a redelivery must differ in to be an edit."""
        return (
            self.rating,
            self.email,
            self.title,
            self.body,
            self.product,
            self.order,
            self.photos,
        )


def check_size(length: int) -> None:
    if length > MAX_BODY_BYTES:
        raise BodyTooLarge(
            f"The body is {length} bytes; a review takes at most {MAX_BODY_BYTES}."
        )


def parse(body: bytes, now: datetime) -> ReviewData:
    """The review in ``body``; raises PayloadError or BodyTooLarge."""
    check_size(len(body))
    data = _json_object(body)
    created_at = _created_at(data.get("created_at"), now)
    return ReviewData(
        review_id=_text(data, "review_id", MAX_ID_LENGTH, required=True, strip=True),
        rating=_rating(data.get("rating")),
        email=_email(data.get("email")),
        title=_text(data, "title", MAX_TITLE_LENGTH),
        body=_text(data, "body", MAX_TEXT_LENGTH),
        product=_text(data, "product", MAX_ID_LENGTH, strip=True),
        order=_order(data.get("order")),
        created_at=created_at,
        photos=_photos(data.get("photos")),
    )


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise PayloadError(f"The body is not valid UTF-8 JSON: {error}") from None
    if not isinstance(data, dict):
        raise PayloadError("The body must be a JSON object.")
    return data


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _text(
    data: dict[str, Any],
    field: str,
    max_length: int,
    *,
    required: bool = False,
    strip: bool = False,
) -> str:
    value = data.get(field)
    if value is None:
        if required:
            raise PayloadError(f"{field} is required.", field)
        return ""
    if not isinstance(value, str):
        raise PayloadError(f"{field} must be a string.", field)
    if strip:
        value = value.strip()
    if required and not value:
        raise PayloadError(f"{field} must not be empty.", field)
    if len(value) > max_length:
        raise PayloadError(
            f"{field} is {len(value)} characters long; at most {max_length}.", field
        )
    if "\x00" in value:
        # PostgreSQL text cannot hold NUL; no real review contains one.
        raise PayloadError(f"{field} must not contain NUL characters.", field)
    return value


def _rating(value: Any) -> int:
    if value is None:
        raise PayloadError("rating is required.", "rating")
    # bool is an int in Python, and 4.0 or "4" is a service's bug worth hearing of.
    if type(value) is not int or value not in RATINGS:
        raise PayloadError(
            f"rating must be a JSON integer from 1 to 5, got {json.dumps(value)[:32]}.",
            "rating",
        )
    return value


def _email(value: Any) -> str:
    if value is None:
        raise PayloadError("email is required.", "email")
    if not isinstance(value, str):
        raise PayloadError("email must be a string.", "email")
    email = normalize_email(value)
    if len(email) > MAX_EMAIL_LENGTH:
        raise PayloadError(
            f"email is longer than {MAX_EMAIL_LENGTH} characters.", "email"
        )
    try:
        validate_email(email)
        if not is_storable_email(email):
            raise ValidationError("look-alike")
    except ValidationError:
        raise PayloadError("email is not a valid email address.", "email") from None
    return email


def _order(value: Any) -> str:
    if value is None:
        return ""
    # A service may send the order number as a number.
    if type(value) is int:
        if value < 1:
            raise PayloadError("order number must be positive.", "order")
        return str(value)
    return _text({"order": value}, "order", MAX_ID_LENGTH, strip=True)


def _created_at(value: Any, now: datetime) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise PayloadError("created_at must be an ISO 8601 string.", "created_at")
    try:
        created_at = datetime.fromisoformat(value.strip())
    except ValueError:
        raise PayloadError(
            f"created_at is not an ISO 8601 date and time: {value[:64]!r}.",
            "created_at",
        ) from None
    if created_at.tzinfo is None:
        raise PayloadError(
            "created_at needs a UTC offset (e.g. 2026-03-01T09:00:00+00:00 or Z).",
            "created_at",
        )
    if created_at > now + FUTURE_TOLERANCE:
        raise PayloadError("created_at is in the future.", "created_at")
    return created_at


def _photos(value: Any) -> int:
    if value is None:
        return 0
    if type(value) is not int or not 0 <= value <= MAX_PHOTOS:
        raise PayloadError(
            f"photos must be a JSON integer from 0 to {MAX_PHOTOS}.", "photos"
        )
    return value
