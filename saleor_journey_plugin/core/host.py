"""What the core needs from the store it runs in (Saleor, or the example store).

An adapter subclasses :class:`Host` and names it in the ``JOURNEY_HOST``
setting; ``apps.py`` picks the Saleor host when Saleor is installed.
"""

from collections.abc import Hashable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.module_loading import import_string

from .presets import DEFAULT_PRESET, Language

if TYPE_CHECKING:
    from ..campaigns.settings import CampaignSettings
    from ..loyalty.settings import LoyaltySettings
    from ..models import Journey
    from .events import JourneyEventData

DEFAULT_LAPSE_AFTER_DAYS = 90
MANAGE_USERS = "MANAGE_USERS"
MANAGE_ORDERS = "MANAGE_ORDERS"
# Creating discounts: needed, with MANAGE_USERS, to add loyalty points by hand
# (points become voucher codes).
MANAGE_DISCOUNTS = "MANAGE_DISCOUNTS"


@dataclass(frozen=True)
class ChannelSettings:
    preset: str = DEFAULT_PRESET
    language: Language = Language.EN
    lapse_after_days: int = DEFAULT_LAPSE_AFTER_DAYS
    # A new account enters this channel's funnel at AWARENESS; off keeps the
    # channel to customers who did something in it.
    count_new_accounts: bool = True
    # IANA name: the calendar days reports count in.
    time_zone: str = "UTC"
    # ISO 4217 code of the channel's prices: the reports' money is in it.
    currency: str | None = None
    # Secrets the review webhook accepts signatures with (several while one is
    # rotated out); none: every delivery is refused.
    review_webhook_secrets: tuple[str, ...] = ()
    # None: the host offers no loyalty program (the settings say if it is on).
    loyalty: "LoyaltySettings | None" = None
    # Abandoned-checkout reminders, win-back and review requests; None: the
    # host runs none.
    campaigns: "CampaignSettings | None" = None


@dataclass(frozen=True)
class Viewer:
    """Who is calling the API: a signed-in customer, staff, an app, or nobody."""

    user_id: str = ""
    email: str = ""
    permissions: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_customer(self) -> bool:
        return bool(self.user_id)

    def has_permission(self, permission: str) -> bool:
        return permission in self.permissions


ANONYMOUS = Viewer()


@dataclass(frozen=True)
class CheckoutLine:
    # The product's name; the variant's apart (empty when it has none of its own).
    name: str
    quantity: int
    # Unit price, in the checkout's currency.
    price: Decimal
    variant_name: str = ""
    # An absolute URL the store serves: the product's picture, shown at 80 px.
    image_url: str = ""


@dataclass(frozen=True)
class Checkout:
    """A store checkout as the campaign emails need it."""

    token: str
    channel: str
    email: str
    user_id: str
    lines: tuple[CheckoutLine, ...]
    total: Decimal
    currency: str
    # The last time the customer changed it: reminders count from here.
    last_change: datetime
    # An order was placed from it.
    ordered: bool = False
    # The billing address's first name, when the shopper gave one.
    first_name: str = ""


@dataclass(frozen=True)
class ProductCard:
    """A product as a campaign email shows it: store data only."""

    # The store's one id of the product, whatever id was asked for.
    id: str
    name: str
    # What the storefront's product page URL holds.
    slug: str
    # Its lowest price in the channel, in ``currency``; None: no price there.
    price: Decimal | None
    currency: str
    # An absolute URL the store serves; empty: no picture.
    image_url: str = ""


@dataclass(frozen=True)
class CouponRequest:
    """A single-use code to create; ``reference`` names the send it is for."""

    channel: str
    reference: str
    value: Decimal
    percentage: bool
    currency: str | None
    expires_at: datetime


@dataclass(frozen=True)
class CouponUse:
    """A discount code an order used, and what it took off the order."""

    code: str
    # In the order's currency.
    discount: Decimal


class AuthenticationFailed(Exception):
    """A credential was sent and it is not valid (expired, forged, revoked)."""


class Host:
    def channel_settings(self, channel: str) -> ChannelSettings | None:
        """The channel's settings, or None where the journey is not enabled."""
        raise NotImplementedError

    def authenticate(self, request: Any) -> Viewer:
        return ANONYMOUS

    def new_account_channels(self) -> list[str]:
        """Channels with the journey on and ``count_new_accounts`` set."""
        return []

    def user_id_of(self, value: str) -> str:
        """The store user id, as the plugin keeps it, that a staff caller's
        ``value`` names (a store's API may show its users by another id)."""
        return value

    def writer(self) -> AbstractContextManager[Any]:
        """Context for database writes made outside a request (Celery tasks)."""
        return nullcontext()

    def scope(self) -> Hashable:
        """Which store this thread acts for, where one host serves several (the
        Saleor App's tenants); None for a host of one store."""
        return None

    def acting_for(self, scope: Hashable) -> AbstractContextManager[Any]:
        """Act for the store ``scope`` names (``scope()``'s answer in another
        thread): the relay wakes each store's processor in its store."""
        return nullcontext()

    def stages_changed(self, journeys: "list[Journey]") -> None:
        """Called after commit with the journeys whose stage changed."""

    def tiers_changed(self, changes: list[tuple[int, str, str]]) -> None:
        """Called after commit with (customer id, channel, new loyalty tier)."""

    def history(
        self, channel: str | None, since: datetime | None
    ) -> "Iterable[JourneyEventData]":
        """The store's past as events, for ``journey_backfill``.

        Every fact the live hooks would have recorded, with the same
        idempotency keys and the time it happened: in ``channel`` (every
        channel with the journey on when None; customer-wide facts whatever
        the channel), and only what happened at or after ``since``. Read
        lazily (the store may be large); it may tell ``operator.length_hint``
        how many events to expect, for the progress bar.
        """
        raise NotImplementedError(
            f"{type(self).__name__} has no store history to backfill: it does "
            "not implement Host.history (a host whose store keeps orders, "
            "checkouts or accounts of its own can)."
        )

    def purchased_product(
        self, channel: str, email: str, product: str, order: str
    ) -> str | None:
        """The product a review is of, when the reviewer paid for it; else None.

        ``product`` names it as the review service does (a product or variant
        ID, a SKU; a host may know other aliases). The answer is the store's
        one id of that product, the same for every name it has, when a line of
        a paid order in ``channel`` of the customer with this (normalized)
        email holds it: of ``order`` (an order ID or number) when one is named,
        else of any of their paid orders there. Empty ``product``: None. A
        review with an answer is a verified purchase, and its reward is keyed
        on the answer, so each product earns once per customer. A host that
        keeps no orders verifies nothing.
        """
        return None

    def has_any_order_of(self, user_id: str, order_ids: list[str]) -> bool:
        """Whether the store now shows at least one of these orders (a guest's,
        by the ``order_id`` its events carry) as the user's.

        The one proof that a guest's history is the account's: Saleor links a
        guest's orders to an account only once its owner proved the address
        (confirming the account or an email change, a password reset, staff
        setting it). A host that keeps no orders links nobody.
        """
        return False

    # Campaign emails (``campaigns/``): what they read from, and make in, the store.
    def read_checkouts(self, tokens: list[str]) -> dict[str, Checkout | None]:
        """The checkouts with these tokens (a sweep's batch, read at once); None
        for one the store deleted or never had."""
        raise NotImplementedError(f"{type(self).__name__} cannot read checkouts.")

    def create_coupon(self, request: CouponRequest) -> str:
        """A new single-use code for the request's discount, valid until expiry.

        Called again with the same ``reference`` (a retried send), it returns
        the code made the first time.
        """
        raise NotImplementedError(f"{type(self).__name__} cannot create coupons.")

    def withdraw_coupon(self, channel: str, reference: str) -> bool:
        """Make the code created for ``reference`` unusable if it is unused and
        unexpired; True if this call withdrew it.

        Loyalty calls it inside the transaction that re-credits the code's
        points, and writes nothing when it answers False. A host whose codes
        live in another system must answer True again for a code it already
        withdrew for this reference, so that a retried refund still credits it.
        """
        return False

    def order_coupons(
        self, channel: str, order_id: str
    ) -> "tuple[CouponUse, ...] | None":
        """The codes an order used and each one's discount; None: unknown.

        Adapters put these on the order-placed event's payload (``coupons``);
        the campaigns ask here only for a credited order whose event carries
        none (recorded before adapters reported codes).
        """
        return None

    def product_cards(
        self, channel: str, product_ids: list[str]
    ) -> dict[str, ProductCard]:
        """The products these ids name (as a storefront tracks them), as sold
        in ``channel``; an id naming nothing on sale there is left out. A host
        without a catalog shows none."""
        return {}

    def skipped_users(self, user_ids: list[str]) -> set[str]:
        """The staff or inactive store users among ``user_ids``: no campaign
        email. A host without users skips nobody."""
        return set()

    def store_name(self, channel: str) -> str:
        return channel

    def first_name(self, user_id: str) -> str:
        """The store user's first name as their account gives it; empty if none."""
        return ""

    def postal_address(self, channel: str) -> tuple[str, ...]:
        """The shop's postal address, one line per item, for the emails' footer
        (commercial email law asks for one); empty when the store has none."""
        return ()

    def public_url(self, channel: str, path: str) -> str:
        """The absolute URL of the plugin's ``path`` (``unsubscribe/...``)."""
        raise NotImplementedError(f"{type(self).__name__} serves no campaign links.")


def scoped_salt(salt: str) -> str:
    """The signing salt of a link for the store this thread acts for: where a
    host serves several stores (the App's tenants), a link signed for one is
    forged in another, whose rows may have the same ids."""
    scope = get_host().scope()
    return salt if scope is None else f"{salt}:{scope}"


@cache
def get_host() -> Host:
    path = getattr(settings, "JOURNEY_HOST", "")
    if not path:
        raise RuntimeError("settings.JOURNEY_HOST names no journey host adapter")
    return import_string(path)()
