"""The Saleor plugin: thin hooks that record journey events and hand off to Celery."""

from functools import cached_property
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseNotFound
from saleor.plugins.base_plugin import BasePlugin, ConfigurationTypeField
from saleor.plugins.error_codes import PluginErrorCode

from .core.events import EventType
from .core.fields import FieldKind
from .graphql.views import graphql_response
from .journey_map_page.views import map_asset, map_page
from .links import EMAIL_LINKS
from .reviews.views import review_webhook
from .saleor_adapter import config, refunds, translate
from .saleor_adapter.host import PLUGIN_ID
from .saleor_adapter.safe import (
    Written,
    never_raises,
    record,
    record_checkout,
    record_order,
)

GRAPHQL_PATH = "graphql"
MAP_PATH = "map"
MAP_ASSETS = "map/assets/"
REVIEWS_PATH = "webhooks/reviews"


class JourneyPlugin(BasePlugin):
    PLUGIN_ID = PLUGIN_ID
    PLUGIN_NAME = "Customer journey"
    PLUGIN_DESCRIPTION = (
        "Tags every customer with a journey stage (awareness to loyalty) from "
        "checkout, order and account events, and serves journeys over GraphQL."
    )
    CONFIGURATION_PER_CHANNEL = True
    DEFAULT_ACTIVE = False
    DEFAULT_CONFIGURATION = config.dashboard_defaults()
    CONFIG_STRUCTURE = config.config_structure(
        {
            FieldKind.TEXT: ConfigurationTypeField.STRING,
            FieldKind.MULTILINE: ConfigurationTypeField.MULTILINE,
            FieldKind.BOOLEAN: ConfigurationTypeField.BOOLEAN,
            FieldKind.SECRET: ConfigurationTypeField.SECRET,
        }
    )

    @classmethod
    def validate_plugin_configuration(cls, plugin_configuration, **kwargs):
        found = config.errors(plugin_configuration.configuration)
        if found:
            raise ValidationError(
                {
                    name: ValidationError(message, code=PluginErrorCode.INVALID.value)
                    for name, message in found.items()
                }
            )

    @property
    def _channel(self) -> str:
        return self.channel.slug if self.channel else ""

    @never_raises
    def customer_created(self, customer):
        record([translate.account_created_event(customer)])

    # Saleor links a guest's orders to an account (match_orders_with_new_user)
    # when its owner confirms the account or a new address (or sets a password
    # from a reset link), or staff change the address or confirm it. The User
    # model's signal (``signals.py``) reports each save; these hooks, which
    # Saleor calls without a channel (so only when one is loaded), report it
    # again once the orders are linked.
    @never_raises
    def account_confirmed(self, user):
        record([translate.account_updated_event(user, "hook")])

    @never_raises
    def account_email_changed(self, user):
        record([translate.account_updated_event(user, "hook")])

    @never_raises
    def customer_updated(self, customer, webhooks=None):
        record([translate.account_updated_event(customer, "hook")])

    @never_raises
    def account_deleted(self, user):
        record([translate.account_deleted_event(user)])

    @never_raises
    def customer_deleted(self, customer, webhooks=None):
        record([translate.account_deleted_event(customer)])

    @never_raises
    def checkout_created(self, checkout, webhooks=None):
        record_checkout(checkout, self._channel)

    @never_raises
    def checkout_updated(self, checkout, webhooks=None):
        record_checkout(checkout, self._channel)

    @never_raises
    def checkout_fully_paid(self, checkout, webhooks=None):
        record([translate.checkout_paid_event(checkout, self._channel)])

    @cached_property
    def _written(self) -> Written:
        # Saleor loads its plugins per request (and per task): so is this.
        return Written()

    def _order(self, order, event_type: EventType) -> None:
        record_order(order, event_type, self._channel, self._written)

    @never_raises
    def order_created(self, order, webhooks=None):
        record(translate.order_created_events(order, self._channel), self._written)

    @never_raises
    def order_fully_paid(self, order, webhooks=None):
        self._order(order, EventType.ORDER_PAID)

    @never_raises
    def order_fulfilled(self, order, webhooks=None):
        self._order(order, EventType.ORDER_FULFILLED)

    @never_raises
    def order_cancelled(self, order, webhooks=None):
        self._order(order, EventType.ORDER_CANCELLED)

    @never_raises
    def order_refunded(self, order, webhooks=None):
        # Every refund, partial or full, runs this hook (Saleor's "fully
        # refunded" hook follows the last one and would add nothing).
        refunded = refunds.refunded_so_far(order)
        record([translate.refund_event(order, self._channel, refunded)])

    def webhook(self, request, path: str, previous_value: Any) -> HttpResponse:
        if not self.channel:
            return HttpResponseNotFound()
        route = (path or "").strip("/")
        if route == GRAPHQL_PATH:
            return graphql_response(request, self.channel.slug)
        if route == MAP_PATH:
            base = self._base_url(request, path)
            return map_page(
                request,
                channel=self.channel.slug,
                api_url=base + GRAPHQL_PATH + "/",
                signin_url="/graphql/",  # Saleor's own API, for tokenCreate
                assets_url=base + MAP_ASSETS,
            )
        if route.startswith(MAP_ASSETS):
            return map_asset(request, route.removeprefix(MAP_ASSETS))
        if route == REVIEWS_PATH:
            return review_webhook(request, self.channel.slug)
        link, _, token = route.partition("/")
        if link in EMAIL_LINKS and token and "/" not in token:
            return EMAIL_LINKS[link](request, self.channel.slug, token)
        return HttpResponseNotFound()

    def _base_url(self, request, path: str) -> str:
        """This plugin's URL in the channel, e.g. /plugins/channel/x/saleor.journey/."""
        full = request.path
        if path and full.endswith(path):
            return full[: len(full) - len(path)].rstrip("/") + "/"
        return f"/plugins/channel/{self.channel.slug}/{PLUGIN_ID}/"
