"""Saleor as the journey host: settings from the dashboard, Saleor's tokens."""

import base64
import binascii
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import jwt
from saleor.core.auth import get_token_from_request
from saleor.core.auth_backend import load_user_from_request
from saleor.core.db.connection import allow_writer
from saleor.graphql.app.dataloaders.utils import get_app_promise
from saleor.permission.enums import (
    AccountPermissions,
    DiscountPermissions,
    OrderPermissions,
)
from saleor.plugins.models import PluginConfiguration

from ..core.host import (
    ANONYMOUS,
    MANAGE_DISCOUNTS,
    MANAGE_ORDERS,
    MANAGE_USERS,
    AuthenticationFailed,
    ChannelSettings,
    Host,
    Viewer,
)
from . import config, metadata, purchases

if TYPE_CHECKING:
    from datetime import datetime

    from ..core.host import Checkout, CouponRequest, CouponUse
    from ..models import Journey
    from .backfill import History

PLUGIN_ID = "saleor.journey"
APP_TOKEN_LENGTH = 30

# Our permission names, mapped to the Saleor permissions that grant them.
PERMISSIONS = {
    MANAGE_USERS: AccountPermissions.MANAGE_USERS,
    MANAGE_ORDERS: OrderPermissions.MANAGE_ORDERS,
    MANAGE_DISCOUNTS: DiscountPermissions.MANAGE_DISCOUNTS,
}


class SaleorHost(Host):
    def channel_settings(self, channel: str) -> ChannelSettings | None:
        row = (
            PluginConfiguration.objects.filter(
                identifier=PLUGIN_ID, channel__slug=channel, active=True
            )
            .values("configuration", "channel__currency_code")
            .first()
        )
        if row is None:
            return None
        return replace(
            config.channel_settings(row["configuration"]),
            currency=row["channel__currency_code"] or None,
        )

    def new_account_channels(self) -> list[str]:
        rows = PluginConfiguration.objects.filter(
            identifier=PLUGIN_ID, active=True, channel__isnull=False
        ).values_list("channel__slug", "configuration")
        return [
            slug
            for slug, configuration in rows
            if config.channel_settings(configuration).count_new_accounts
        ]

    def authenticate(self, request: Any) -> Viewer:
        token = get_token_from_request(request)
        if not token:
            return ANONYMOUS
        if len(token) == APP_TOKEN_LENGTH:
            app = get_app_promise(request).get()
            if app is None:
                raise AuthenticationFailed("Invalid app token.")
            return Viewer(permissions=_granted(app))
        try:
            user = load_user_from_request(request)
        except jwt.PyJWTError as error:
            raise AuthenticationFailed(str(error)) from error
        if user is None:
            raise AuthenticationFailed("Invalid token.")
        return Viewer(
            user_id=str(user.pk), email=user.email, permissions=_granted(user)
        )

    def writer(self) -> AbstractContextManager[Any]:
        return allow_writer()

    def stages_changed(self, journeys: "list[Journey]") -> None:
        metadata.write_stages(journeys)

    def tiers_changed(self, changes: list[tuple[int, str, str]]) -> None:
        metadata.write_tiers(changes)

    def history(self, channel: str | None, since: "datetime | None") -> "History":
        from .backfill import History

        if channel is None:
            channels = list(
                PluginConfiguration.objects.filter(
                    identifier=PLUGIN_ID, active=True, channel__isnull=False
                ).values_list("channel__slug", flat=True)
            )
        else:
            channels = [channel]
        return History(channels, since)

    def purchased_product(
        self, channel: str, email: str, product: str, order: str
    ) -> str | None:
        return purchases.purchased_product(channel, email, product, order)

    def has_any_order_of(self, user_id: str, order_ids: list[str]) -> bool:
        return purchases.any_order_of(user_id, order_ids)

    # Campaign emails: checkout reads, single-use voucher codes, links.
    def read_checkouts(self, tokens: list[str]) -> "dict[str, Checkout | None]":
        from .checkouts import read_checkouts

        return read_checkouts(tokens)

    def create_coupon(self, request: "CouponRequest") -> str:
        from .coupons import create_coupon

        return create_coupon(request)

    def withdraw_coupon(self, channel: str, reference: str) -> bool:
        from .coupons import withdraw_coupon

        return withdraw_coupon(reference)

    def user_id_of(self, value: str) -> str:
        """A user's pk from its global ID (base64 of ``User:<pk>``), as the
        dashboard and Saleor's API show it; anything else as it is."""
        try:
            text = base64.b64decode(value, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return value
        kind, _, pk = text.partition(":")
        return pk if kind == "User" and pk.isascii() and pk.isdigit() else value

    def order_coupons(
        self, channel: str, order_id: str
    ) -> "tuple[CouponUse, ...] | None":
        from .redemptions import coupons_of

        return coupons_of(channel, order_id)

    def skipped_users(self, user_ids: list[str]) -> set[str]:
        # Saleor's account.User is the Django auth user model.
        from ..core.users import staff_or_inactive

        return staff_or_inactive(user_ids)

    def store_name(self, channel: str) -> str:
        from django.contrib.sites.models import Site

        return Site.objects.get_current().name or channel

    def first_name(self, user_id: str) -> str:
        from .shop import first_name

        return first_name(user_id)

    def postal_address(self, channel: str) -> tuple[str, ...]:
        from .shop import postal_address

        return postal_address()

    def public_url(self, channel: str, path: str) -> str:
        from saleor.core.utils import build_absolute_uri

        return build_absolute_uri(f"/plugins/channel/{channel}/{PLUGIN_ID}/{path}")


def _granted(requestor: Any) -> frozenset[str]:
    return frozenset(
        name
        for name, permission in PERMISSIONS.items()
        if requestor.has_perm(permission)
    )
