"""The example store as a journey host: channels from settings, signed tokens."""

import secrets
import time
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, cast

from django.conf import settings
from django.core import signing
from django.utils import timezone

from example_store import purchases
from saleor_journey_plugin.configuration import channel_settings
from saleor_journey_plugin.core.host import (
    ANONYMOUS,
    AuthenticationFailed,
    ChannelSettings,
    Checkout,
    CheckoutLine,
    CouponRequest,
    Host,
    Viewer,
)
from saleor_journey_plugin.core.users import staff_or_inactive

TOKEN_SALT = "example_store.token"
# A channel's entry in JOURNEY_CHANNELS names these two fields shortly, and
# keeps the loyalty and campaign fields in sections of their own.
_SHORT_NAMES = {"preset": "stage_preset", "language": "label_language"}
_SECTIONS = ("loyalty", "campaigns")
DEFAULT_TOKEN_MAX_AGE = 4 * 60 * 60


def token_max_age() -> int:
    """Seconds a token lives at most: ``EXAMPLE_STORE_TOKEN_MAX_AGE``."""
    return int(getattr(settings, "EXAMPLE_STORE_TOKEN_MAX_AGE", DEFAULT_TOKEN_MAX_AGE))


def issue_token(
    *,
    user_id: str = "",
    email: str = "",
    permissions: Sequence[str] = (),
    expires_in: int | None = None,
) -> str:
    """A bearer token for the example store's API (its stand-in for a login).

    It expires ``expires_in`` seconds from now, by default (and at most) after
    ``EXAMPLE_STORE_TOKEN_MAX_AGE`` seconds.
    """
    max_age = token_max_age()
    lifetime = max_age if expires_in is None else expires_in
    if not 0 < lifetime <= max_age:
        raise ValueError(
            f"A token lives 1 to {max_age} seconds (EXAMPLE_STORE_TOKEN_MAX_AGE), "
            f"not {lifetime}."
        )
    return signing.dumps(
        {
            "user_id": str(user_id),
            "email": email,
            "permissions": sorted(permissions),
            "expires": int(time.time()) + lifetime,
        },
        salt=TOKEN_SALT,
    )


def dashboard_values(config: Mapping[str, Any]) -> dict[str, object]:
    """A ``JOURNEY_CHANNELS`` entry as the dashboard's fields, by their names."""
    values = {
        _SHORT_NAMES.get(name, name): value
        for name, value in config.items()
        if name not in _SECTIONS
    }
    for section in _SECTIONS:
        values.update(config.get(section) or {})
    return values


class ExampleStoreHost(Host):
    def channel_settings(self, channel: str) -> ChannelSettings | None:
        config: dict[str, Any] | None = settings.JOURNEY_CHANNELS.get(channel)
        if config is None:
            return None
        return channel_settings(
            dashboard_values(config),
            currency=str(config["currency"]) if config.get("currency") else None,
        )

    def new_account_channels(self) -> list[str]:
        return [
            channel
            for channel in settings.JOURNEY_CHANNELS
            if (found := self.channel_settings(channel)) and found.count_new_accounts
        ]

    def authenticate(self, request: Any) -> Viewer:
        header = request.headers.get("Authorization")
        if header is None:
            return ANONYMOUS
        # A credential that cannot be read is refused, never taken as no one:
        # a client sending one expects to be someone.
        scheme, _, token = header.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise AuthenticationFailed(
                "Send the token as 'Authorization: Bearer <token>'."
            )
        try:
            # The signature's timestamp bounds every token by the current
            # setting; ``expires`` is the (possibly shorter) life it was given.
            data = signing.loads(token, salt=TOKEN_SALT, max_age=token_max_age())
        except signing.SignatureExpired as error:
            raise AuthenticationFailed("Token expired.") from error
        except signing.BadSignature as error:
            raise AuthenticationFailed("Invalid token.") from error
        if not isinstance(data, dict) or not isinstance(data.get("expires"), int):
            raise AuthenticationFailed("Invalid token.")
        if time.time() >= data["expires"]:
            raise AuthenticationFailed("Token expired.")
        return Viewer(
            user_id=str(data.get("user_id", "")),
            email=str(data.get("email", "")),
            permissions=frozenset(data.get("permissions", [])),
        )

    def purchased_product(
        self, channel: str, email: str, product: str, order: str
    ) -> str | None:
        return purchases.purchased_product(channel, email, product, order)

    def has_any_order_of(self, user_id: str, order_ids: list[str]) -> bool:
        return purchases.any_order_of(user_id, order_ids)

    def read_checkouts(self, tokens: list[str]) -> dict[str, Checkout | None]:
        from .models import StoreCheckout

        found: dict[str, Checkout | None] = dict.fromkeys(tokens)
        for row in StoreCheckout.objects.filter(token__in=tokens):
            lines = tuple(
                CheckoutLine(
                    name=str(line["name"]),
                    quantity=int(line["quantity"]),
                    price=Decimal(str(line["price"])),
                    variant_name=str(line.get("variant_name", "")),
                    image_url=str(line.get("image_url", "")),
                )
                for line in row.lines
            )
            found[row.token] = Checkout(
                token=row.token,
                channel=row.channel,
                email=row.email,
                user_id=row.user_id,
                lines=lines,
                total=sum((line.price * line.quantity for line in lines), Decimal(0)),
                currency=row.currency,
                last_change=row.updated_at,
                ordered=bool(row.order_id),
                first_name=row.first_name,
            )
        return found

    def create_coupon(self, request: CouponRequest) -> str:
        from .models import Coupon

        coupon, _ = Coupon.objects.get_or_create(
            reference=request.reference,
            defaults={
                "code": "JRN-" + secrets.token_hex(5).upper(),
                "channel": request.channel,
                "value": request.value,
                "percentage": request.percentage,
                "currency": request.currency or "",
                "expires_at": request.expires_at,
            },
        )
        return coupon.code

    def withdraw_coupon(self, channel: str, reference: str) -> bool:
        from .models import Coupon

        now = timezone.now()
        return (
            Coupon.objects.filter(
                channel=channel,
                reference=reference,
                used_at__isnull=True,
                withdrawn_at__isnull=True,
                expires_at__gt=now,
            ).update(withdrawn_at=now)
            == 1
        )

    def skipped_users(self, user_ids: list[str]) -> set[str]:
        return staff_or_inactive(user_ids)

    def store_name(self, channel: str) -> str:
        config = settings.JOURNEY_CHANNELS.get(channel) or {}
        return str(config.get("store_name", "Example Store"))

    def first_name(self, user_id: str) -> str:
        from django.contrib.auth import get_user_model

        if not user_id.isascii() or not user_id.isdigit():
            return ""
        names = get_user_model().objects.filter(pk=int(user_id))
        return (names.values_list("first_name", flat=True).first() or "").strip()

    def postal_address(self, channel: str) -> tuple[str, ...]:
        config = settings.JOURNEY_CHANNELS.get(channel) or {}
        lines = cast("list[object]", config.get("postal_address") or [])
        return tuple(str(line) for line in lines)

    def public_url(self, channel: str, path: str) -> str:
        base = getattr(settings, "EXAMPLE_STORE_URL", "http://127.0.0.1:8000")
        return f"{base.rstrip('/')}/campaigns/{channel}/{path}"
