"""The Saleor App as a journey host: the active tenant's settings and Saleor.

Everything here acts as the tenant active in the request or task
(``tenants/schemas.py``); with none active it refuses, rather than guess.
"""

from collections.abc import Hashable
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any

from saleor_journey_plugin import configuration
from saleor_journey_plugin.core.host import (
    AuthenticationFailed,
    ChannelSettings,
    Checkout,
    CouponRequest,
    Host,
    ProductCard,
    Viewer,
)

from .tenants.models import Tenant
from .tenants.schemas import activated, current_tenant, require_tenant

if TYPE_CHECKING:
    from datetime import datetime

    from saleor_journey_plugin.models import Journey

    from .moving.history import SaleorHistory

# The channel's currency is Saleor's, kept beside the configuration fields.
CURRENCY = "currency"


class AppHost(Host):
    def channel_settings(self, channel: str) -> ChannelSettings | None:
        fields = require_tenant().channels.get(channel)
        if fields is None:
            return None
        return configuration.channel_settings(
            dashboard_fields(fields), currency=fields.get(CURRENCY) or None
        )

    def authenticate(self, request: Any) -> Viewer:
        from .auth import tokens, viewers

        try:
            return viewers.viewer_of(request, require_tenant())
        except tokens.InvalidToken as error:
            raise AuthenticationFailed(str(error)) from error

    def new_account_channels(self) -> list[str]:
        return [
            channel
            for channel in require_tenant().channels
            if (found := self.channel_settings(channel)) and found.count_new_accounts
        ]

    def writer(self) -> AbstractContextManager[Any]:
        return activated(require_tenant())

    def scope(self) -> Hashable:
        tenant = current_tenant()
        return tenant.pk if tenant is not None else None

    def acting_for(self, scope: Hashable) -> AbstractContextManager[Any]:
        if scope is None:
            return nullcontext()  # writer() then refuses: no tenant
        return activated(Tenant.objects.get(pk=scope))

    def stages_changed(self, journeys: "list[Journey]") -> None:
        from .saleor_api.tasks import write_journey_stages

        write_journey_stages.delay([journey.pk for journey in journeys])

    def tiers_changed(self, changes: list[tuple[int, str, str]]) -> None:
        from .saleor_api.tasks import write_loyalty_tiers

        write_loyalty_tiers.delay(changes)

    def create_coupon(self, request: CouponRequest) -> str:
        from .saleor_api.vouchers import create_coupon

        return create_coupon(require_tenant(), request)

    def history(self, channel: str | None, since: "datetime | None") -> "SaleorHistory":
        from .moving.history import SaleorHistory

        tenant = require_tenant()
        channels = [channel] if channel else list(tenant.channels)
        return SaleorHistory(tenant, channels, since)

    # Reads and writes in the tenant's Saleor, over GraphQL with its token. The
    # core asks for them in the worker (sweeps, refunds, reviews, joins), never
    # while a webhook waits for its answer.
    def read_checkouts(self, tokens: list[str]) -> dict[str, Checkout | None]:
        from .saleor_api.checkouts import read_checkouts

        return read_checkouts(require_tenant(), tokens)

    def skipped_users(self, user_ids: list[str]) -> set[str]:
        from .saleor_api.users import skipped_users

        return skipped_users(require_tenant(), user_ids)

    def first_name(self, user_id: str) -> str:
        from .saleor_api.users import first_name

        return first_name(require_tenant(), user_id)

    def withdraw_coupon(self, channel: str, reference: str) -> bool:
        from .saleor_api.vouchers import withdraw_coupon

        return withdraw_coupon(require_tenant(), reference)

    def purchased_product(
        self, channel: str, email: str, product: str, order: str
    ) -> str | None:
        from .saleor_api.orders import purchased_product

        return purchased_product(require_tenant(), channel, email, product, order)

    def has_any_order_of(self, user_id: str, order_ids: list[str]) -> bool:
        from .saleor_api.orders import has_any_order_of

        return has_any_order_of(require_tenant(), user_id, order_ids)

    def user_id_of(self, value: str) -> str:
        from .webhooks.translate import pk_of

        return pk_of(value, "User") or value

    # What the emails show of the shop, and where their links go.
    def product_cards(
        self, channel: str, product_ids: list[str]
    ) -> dict[str, ProductCard]:
        from .saleor_api.products import product_cards

        return product_cards(require_tenant(), channel, product_ids)

    def store_name(self, channel: str) -> str:
        from .saleor_api.shop import shop_of

        return shop_of(require_tenant()).name or channel

    def postal_address(self, channel: str) -> tuple[str, ...]:
        from .saleor_api.shop import shop_of

        return shop_of(require_tenant()).postal_address

    def public_url(self, channel: str, path: str) -> str:
        from . import conf
        from .public.urls import email_link_path

        return conf.app_url() + email_link_path(require_tenant(), channel, path)


def dashboard_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """A tenant channel's configuration fields, without the currency."""
    return {name: value for name, value in fields.items() if name != CURRENCY}
