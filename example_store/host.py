"""The example store as a journey host: channels from settings, signed tokens."""

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core import signing

from saleor_journey_plugin.core.host import (
    ANONYMOUS,
    AuthenticationFailed,
    ChannelSettings,
    Host,
    Viewer,
)
from saleor_journey_plugin.core.presets import Language

TOKEN_SALT = "example_store.token"


def issue_token(
    *, user_id: str = "", email: str = "", permissions: Sequence[str] = ()
) -> str:
    """A bearer token for the example store's API (its stand-in for a login)."""
    return signing.dumps(
        {"user_id": str(user_id), "email": email, "permissions": sorted(permissions)},
        salt=TOKEN_SALT,
    )


class ExampleStoreHost(Host):
    def channel_settings(self, channel: str) -> ChannelSettings | None:
        config = settings.JOURNEY_CHANNELS.get(channel)
        if config is None:
            return None
        return ChannelSettings(
            preset=str(config.get("preset", "standard")),
            language=Language(str(config.get("language", "en"))),
            lapse_after_days=int(str(config.get("lapse_after_days", 90))),
        )

    def authenticate(self, request: Any) -> Viewer:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if not token or scheme.lower() != "bearer":
            return ANONYMOUS
        try:
            data = signing.loads(token, salt=TOKEN_SALT)
        except signing.BadSignature as error:
            raise AuthenticationFailed("Invalid token.") from error
        return Viewer(
            user_id=data.get("user_id", ""),
            email=data.get("email", ""),
            permissions=frozenset(data.get("permissions", [])),
        )
