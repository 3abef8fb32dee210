"""A customer's loyalty points: ``myLoyalty``, and ``customerLoyalty`` for staff."""

import graphene
from graphene.types.datetime import DateTime

from ...loyalty import ledger
from ..paging import connection_type, page_size_arg
from ..permissions import MANAGE_USERS, PermissionsField
from ..reviews.types import ReviewConnection
from . import resolvers
from .enums import LoyaltyEntryKindEnum, LoyaltyErrorCodeEnum


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


LoyaltyEntryConnection = connection_type(
    "LoyaltyEntry", LoyaltyEntry, page_info="LoyaltyPageInfo"
)


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
        first=page_size_arg(),
        after=graphene.String(),
        description="Ledger entries, newest first.",
    )
    reviews = graphene.Field(
        ReviewConnection,
        required=True,
        first=page_size_arg(),
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
        return resolvers.resolve_history(info, root[0], first, after)

    @staticmethod
    def resolve_reviews(root, info, first, after=None):
        return resolvers.resolve_reviews(info, root[0], first, after)


class LoyaltyError(graphene.ObjectType):
    field = graphene.String(description="The argument at fault, if one is.")
    code = graphene.Field(LoyaltyErrorCodeEnum, required=True)
    message = graphene.String(required=True)


class LoyaltyMoney(graphene.ObjectType):
    amount = graphene.Float(required=True)
    currency = graphene.String(description="Null where the channel has none set.")
