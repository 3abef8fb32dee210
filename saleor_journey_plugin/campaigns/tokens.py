"""Signed tokens of the links in campaign emails (Django signing).

The unsubscribe token names the channel and the message it came in, and acts
on whoever the message belongs to when it is used: the recipient it was sent
to, or the account that recipient was merged into since. The click token names
the message, and the product where the link is a product's. Neither expires:
an unsubscribe link in an old email must keep working (tokens made before also
carry a customer id, ``c``, which is ignored).
Both are signed for the store they were made in (``scoped_salt``).
"""

from dataclasses import dataclass

from django.core import signing

from ..core.host import scoped_salt

UNSUBSCRIBE_SALT = "saleor_journey_plugin.campaigns.unsubscribe"
CLICK_SALT = "saleor_journey_plugin.campaigns.click"


class InvalidToken(Exception):
    """Forged, tampered with, or naming something that is not there."""


@dataclass(frozen=True)
class UnsubscribeToken:
    channel: str
    message_id: int


def unsubscribe_token(channel: str, message_id: int) -> str:
    return signing.dumps(
        {"ch": channel, "m": message_id},
        salt=scoped_salt(UNSUBSCRIBE_SALT),
        compress=True,
    )


def read_unsubscribe_token(token: str) -> UnsubscribeToken:
    data = _load(token, UNSUBSCRIBE_SALT)
    try:
        return UnsubscribeToken(
            channel=str(data["ch"]),
            message_id=int(data["m"]),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise InvalidToken("Malformed token.") from error


@dataclass(frozen=True)
class ClickToken:
    message_id: int
    # The slug of the product whose link it is; "" for the email's button.
    product: str = ""


def click_token(message_id: int, product: str = "") -> str:
    data: dict[str, int | str] = {"m": message_id}
    if product:
        data["p"] = product
    return signing.dumps(data, salt=scoped_salt(CLICK_SALT), compress=True)


def read_click_token(token: str) -> ClickToken:
    data = _load(token, CLICK_SALT)
    try:
        return ClickToken(message_id=int(data["m"]), product=str(data.get("p") or ""))
    except (KeyError, TypeError, ValueError) as error:
        raise InvalidToken("Malformed token.") from error


def _load(token: str, salt: str) -> dict:
    try:
        data = signing.loads(token, salt=scoped_salt(salt))
    except signing.BadSignature as error:
        raise InvalidToken("Invalid signature.") from error
    if not isinstance(data, dict):
        raise InvalidToken("Malformed token.")
    return data
