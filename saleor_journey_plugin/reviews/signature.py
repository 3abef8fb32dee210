"""Standard Webhooks signatures: was this delivery sent by the review service?

A delivery carries three headers: ``webhook-id`` (the message's id, the same on
every retry), ``webhook-timestamp`` (Unix seconds of this attempt) and
``webhook-signature``: space-separated ``v1,<base64 HMAC-SHA256>`` entries over
``"{id}.{timestamp}.{raw body}"``. One matching entry under one active secret
is enough, so a secret can be rotated with both old and new ones active.

A secret is read as the standard reads it: base64 (padding optional) after an
optional ``whsec_`` prefix; the HMAC key is the decoded bytes. The signature
itself is computed by the official ``standardwebhooks`` library, so what a
service signs with it verifies here. Headers and the clock are checked here
first: the library's own ``verify`` reads the wall clock and names no reason.
"""

import base64
import binascii
import hmac
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from standardwebhooks import Webhook

TOLERANCE_SECONDS = 5 * 60
# The standard asks for random keys of 24 to 64 bytes.
MIN_KEY_BYTES = 24
WHSEC_PREFIX = "whsec_"
MAX_WEBHOOK_ID_LENGTH = 255
ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"
_MAX_TIMESTAMP_DIGITS = 12
# Standard base64 only: the library skips any other character (URL-safe "-"
# and "_" included), which would silently sign with another key.
_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")


class SignatureError(Exception):
    """Not proven to come from the review service; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SignedDelivery:
    webhook_id: str
    timestamp: int


def parse_secrets(value: str) -> tuple[str, ...]:
    """The secrets of a settings value: one or more, separated by whitespace."""
    return tuple(value.split())


def secrets_error(value: str) -> str | None:
    """Why a settings value cannot be used as secrets; None if it can (or is empty)."""
    for position, secret in enumerate(parse_secrets(value), start=1):
        key = secret_key(secret)
        if key is None:
            return (
                f"Secret {position} is not base64: write the key in base64, "
                f"optionally after {WHSEC_PREFIX}, as Standard Webhooks services "
                f"give it (a passphrase used before becomes {WHSEC_PREFIX} and "
                "its base64)."
            )
        if len(key) < MIN_KEY_BYTES:
            return (
                f"Secret {position}'s key is {len(key)} bytes; each secret needs "
                f"at least {MIN_KEY_BYTES} bytes (32 base64 characters)."
            )
    return None


def secret_key(secret: str) -> bytes | None:
    """The HMAC key a secret stands for; None if it is not base64."""
    encoded = secret.removeprefix(WHSEC_PREFIX)
    if not _BASE64.fullmatch(encoded):
        return None
    bare = encoded.rstrip("=")
    try:
        key = base64.b64decode(bare + "=" * (-len(bare) % 4), validate=True)
    except binascii.Error:  # a length no base64 has
        return None
    return key or None


def sign(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    """The ``v1,<base64>`` signature of a delivery (what the service sends)."""
    key = secret_key(secret)
    if key is None:
        raise ValueError(
            "A Standard Webhooks secret is base64, optionally after whsec_."
        )
    return _sign(key, webhook_id, timestamp, body)


def _sign(key: bytes, webhook_id: str, timestamp: int, body: bytes) -> str:
    return Webhook(key).sign(webhook_id, datetime.fromtimestamp(timestamp, UTC), body)


def verify(
    headers: Mapping[str, str], body: bytes, secrets: Sequence[str], now: float
) -> SignedDelivery:
    """The delivery's id and timestamp once its signature is proven.

    Raises :class:`SignatureError` for a missing or malformed header, a
    timestamp more than five minutes from ``now`` (Unix seconds) either way, no
    secret to check with, or no entry that matches.
    """
    lowered = {name.lower(): value for name, value in headers.items()}
    webhook_id = _header(lowered, ID_HEADER)
    raw_timestamp = _header(lowered, TIMESTAMP_HEADER)
    raw_signatures = _header(lowered, SIGNATURE_HEADER)
    if len(webhook_id) > MAX_WEBHOOK_ID_LENGTH or not webhook_id.isprintable():
        raise SignatureError(
            f"Malformed {ID_HEADER} header: at most {MAX_WEBHOOK_ID_LENGTH} "
            "printable characters."
        )
    timestamp = _timestamp(raw_timestamp)
    if timestamp < now - TOLERANCE_SECONDS:
        raise SignatureError(
            f"The {TIMESTAMP_HEADER} is more than 5 minutes old: a stale delivery."
        )
    if timestamp > now + TOLERANCE_SECONDS:
        raise SignatureError(
            f"The {TIMESTAMP_HEADER} is more than 5 minutes ahead: check the "
            "sender's clock."
        )
    candidates = _v1_signatures(raw_signatures)
    if not secrets:
        raise SignatureError(
            "No review webhook secret is set for this channel: every delivery is "
            "refused."
        )
    for secret in secrets:
        key = secret_key(secret)
        if key is None:  # refused by the settings' checks; never a match
            continue
        expected = _sign(key, webhook_id, timestamp, body).removeprefix("v1,")
        expected_bytes = expected.encode("ascii")
        for candidate in candidates:
            if hmac.compare_digest(expected_bytes, candidate):
                return SignedDelivery(webhook_id=webhook_id, timestamp=timestamp)
    raise SignatureError("No signature matches: wrong secret or altered body.")


def _header(headers: Mapping[str, str], name: str) -> str:
    value = (headers.get(name) or "").strip()
    if not value:
        raise SignatureError(f"Missing {name} header.")
    return value


def _timestamp(raw: str) -> int:
    if not (raw.isascii() and raw.isdigit()) or len(raw) > _MAX_TIMESTAMP_DIGITS:
        raise SignatureError(
            f"Malformed {TIMESTAMP_HEADER} header: Unix seconds expected."
        )
    return int(raw)


def _v1_signatures(raw: str) -> list[bytes]:
    found = []
    for entry in raw.split():
        version, comma, signature = entry.partition(",")
        if not comma or not version or not signature:
            raise SignatureError(
                f"Malformed {SIGNATURE_HEADER} header: space-separated "
                "v1,<base64> entries expected."
            )
        # Other schemes (v1a: asymmetric keys) are not ours to check.
        if version == "v1":
            found.append(signature.encode("utf-8", "replace"))
    if not found:
        raise SignatureError(f"No v1 signature in the {SIGNATURE_HEADER} header.")
    return found
