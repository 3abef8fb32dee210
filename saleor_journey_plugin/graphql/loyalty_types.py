"""A customer's loyalty points: ``myLoyalty``, and ``customerLoyalty`` for staff."""

import graphene
from graphene.types.datetime import DateTime

from ..core import queries
from ..loyalty import history, ledger
from ..loyalty.models import EntryKind
from .cursors import decode_cursor, encode_cursor
from .errors import InvalidArgument
from .permissions import MANAGE_USERS, PermissionsField
from .resolvers import MAX_PAGE, check_page_size, identified_customer
from .review_types import ReviewConnection, no_reviews, review_page

LoyaltyEntryKindEnum = graphene.Enum(
    "LoyaltyEntryKind", [(k.value.upper(), k.value) for k in EntryKind]
)


class LoyaltyEntry(graphene.ObjectType):
    kind = graphene.Field(LoyaltyEntryKindEnum, required=True)
    points = graphene.Int(
        required=True, description="Positive for points in, negative for out."
    )
    occurred_at = DateTime(required=True)
    expires_at = DateTime(description="When unspent points of an earning expire.")
    order_id = graphene.String(description="The order it is about, if any.")
    reason = PermissionsField(
        graphene.String,
        permissions=[MANAGE_USERS],
        description="Why staff adjusted the points (adjustments only).",
    )
    staff_user_id = PermissionsField(
        graphene.String,
        permissions=[MANAGE_USERS],
        description="The store user who made the adjustment; null for an app.",
    )
    staff_email = PermissionsField(
        graphene.String,
        permissions=[MANAGE_USERS],
        description="That user's email when they made it.",
    )

    @staticmethod
    def resolve_order_id(root, info):
        return root.order_id or None

    @staticmethod
    def resolve_reason(root, info):
        return root.reason or None

    @staticmethod
    def resolve_staff_user_id(root, info):
        return root.staff_user_id or None

    @staticmethod
    def resolve_staff_email(root, info):
        return root.staff_email or None


class LoyaltyPageInfo(graphene.ObjectType):
    has_next_page = graphene.Boolean(required=True)
    end_cursor = graphene.String()


class LoyaltyEntryEdge(graphene.ObjectType):
    node = graphene.Field(LoyaltyEntry, required=True)
    cursor = graphene.String(required=True)


class LoyaltyEntryConnection(graphene.ObjectType):
    edges = graphene.NonNull(graphene.List(graphene.NonNull(LoyaltyEntryEdge)))
    page_info = graphene.Field(LoyaltyPageInfo, required=True)


class Loyalty(graphene.ObjectType):
    """A customer's points in a channel (``root`` is (customer id, standing))."""

    balance = graphene.Int(required=True, description="Points to spend now.")
    tier = graphene.String(
        required=True, description="Tier by points earned in the last 365 days."
    )
    points_to_next_tier = graphene.Int(
        description="Points still to earn for the next tier; null at the top one."
    )
    expiring_soon = graphene.Int(
        required=True,
        description=f"Unspent points expiring in the next "
        f"{ledger.EXPIRING_SOON_DAYS} days.",
    )
    history = graphene.Field(
        LoyaltyEntryConnection,
        required=True,
        first=graphene.Int(default_value=20, description=f"1 to {MAX_PAGE}."),
        after=graphene.String(),
        description="Ledger entries, newest first.",
    )
    reviews = graphene.Field(
        ReviewConnection,
        required=True,
        first=graphene.Int(default_value=20, description=f"1 to {MAX_PAGE}."),
        after=graphene.String(),
        description="The customer's own reviews in this channel, newest "
        "received first.",
    )

    @staticmethod
    def resolve_balance(root, info):
        return root[1].balance

    @staticmethod
    def resolve_tier(root, info):
        return root[1].tier.name

    @staticmethod
    def resolve_points_to_next_tier(root, info):
        return root[1].points_to_next_tier

    @staticmethod
    def resolve_expiring_soon(root, info):
        return root[1].expiring_soon

    @staticmethod
    def resolve_history(root, info, first, after=None):
        check_page_size(first)
        after_id = decode_cursor("ledger", after) if after else None
        customer = root[0]
        if customer is None:
            if after_id is not None:
                raise InvalidArgument(
                    "'after' is not a cursor this API returned.", field="after"
                )
            found: tuple[list, bool] | None = ([], False)
        else:
            found = history.page(info.context.channel, customer, first, after_id)
        if found is None:
            raise InvalidArgument(
                "'after' is not a cursor this API returned.", field="after"
            )
        entries, has_next = found
        edges = [
            LoyaltyEntryEdge(node=e, cursor=encode_cursor("ledger", e.pk))
            for e in entries
        ]
        return LoyaltyEntryConnection(
            edges=edges,
            page_info=LoyaltyPageInfo(
                has_next_page=has_next,
                end_cursor=edges[-1].cursor if edges else None,
            ),
        )

    @staticmethod
    def resolve_reviews(root, info, first, after=None):
        customer = root[0]
        if customer is None:
            return no_reviews(first, after)
        return review_page(info, first, after, customer=customer)


def resolve_my_loyalty(info):
    """The viewer's standing; None where the channel has loyalty off."""
    context = info.context
    settings = context.settings.loyalty
    if settings is None or not settings.enabled:
        return None
    customer = queries.find_customer(user_id=context.viewer.user_id)
    if customer is None:
        # Never seen: nothing earned, which is the first tier's standing.
        standing = ledger.Standing(
            balance=0,
            tier=ledger.tier_of(0, settings.tiers),
            earned_in_window=0,
            points_to_next_tier=ledger.points_to_next_tier(0, settings.tiers),
            expiring_soon=0,
        )
        return None, standing
    return customer.pk, ledger.standing(context.channel, customer.pk, settings)


def resolve_customer_loyalty(info, email: str | None, user_id: str | None):
    """A customer's standing for staff; None for someone the plugin does not
    know, or where the host offers no loyalty program.

    Shown while the channel has loyalty off too: the balances are still owed.
    """
    customer = identified_customer(email, user_id)
    settings = info.context.settings.loyalty
    if customer is None or settings is None:
        return None
    return customer.pk, ledger.standing(info.context.channel, customer.pk, settings)
