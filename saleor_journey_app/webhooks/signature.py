"""Saleor's webhook signature: a detached JWS (RS256, unencoded payload per
RFC 7797) over the raw body, in the ``Saleor-Signature`` header, made with a
key of the tenant's JWKS (``jwks.py`` caches them). HMAC ``secretKey``
signatures (deprecated) are never accepted.
"""

import base64
import json

from joserfc import jws
from joserfc.errors import JoseError

from .. import jwks

ALGORITHMS = ["RS256"]


class BadSignature(Exception):
    pass


def verify(saleor_api_url: str, body: bytes, signature: str) -> None:
    """Return quietly if ``signature`` is Saleor's over ``body``; else BadSignature."""
    kid = _kid_of(signature)
    try:
        keys = jwks.keys_for(saleor_api_url, kid)
    except jwks.NoKey as error:
        raise BadSignature(str(error)) from error
    try:
        jws.deserialize_compact(signature, keys, algorithms=ALGORITHMS, payload=body)
    except (JoseError, ValueError) as error:
        raise BadSignature(
            f"signature does not verify ({type(error).__name__})"
        ) from error


def _kid_of(signature: str) -> str:
    try:
        header_part, payload_part, _ = signature.split(".")
        header = json.loads(_b64decode(header_part))
    except (ValueError, TypeError) as error:
        raise BadSignature("not a compact JWS") from error
    if payload_part:
        raise BadSignature("the payload is not detached")
    if not isinstance(header, dict) or header.get("alg") not in ALGORITHMS:
        raise BadSignature("not an RS256 signature")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise BadSignature("the signature names no key")
    return kid


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
