"""The review webhook's channel setting: the secrets its deliveries are signed with."""

from collections.abc import Mapping
from typing import Any

from ..core.fields import Field, FieldError, FieldKind, Section
from .signature import MIN_KEY_BYTES, parse_secrets, secrets_error

REVIEW_WEBHOOK_SECRETS = "review_webhook_secrets"


def _secrets(text: str, noun: str) -> tuple[str, ...]:
    problem = secrets_error(text)
    if problem:
        raise FieldError(problem)
    return parse_secrets(text)


FIELDS = (
    Field(
        REVIEW_WEBHOOK_SECRETS,
        default="",
        label="Review webhook secrets",
        help="Secrets the review service signs its webhooks with (Standard "
        "Webhooks), separated by spaces: each the base64 of a key of at least "
        f"{MIN_KEY_BYTES} bytes, optionally after whsec_. Two while rotating. "
        "Empty: every review webhook is refused.",
        parse=_secrets,
        kind=FieldKind.SECRET,
    ),
)


def build(values: Mapping[str, Any]) -> dict[str, Any]:
    return {"review_webhook_secrets": values[REVIEW_WEBHOOK_SECRETS]}


SECTION = Section("reviews", lambda: FIELDS, build)
