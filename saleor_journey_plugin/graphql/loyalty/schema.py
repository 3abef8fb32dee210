import graphene

from ..permissions import CUSTOMER, MANAGE_USERS, PermissionsField
from . import resolvers
from .mutations import AdjustLoyaltyPoints, RedeemLoyaltyPoints
from .types import Loyalty


class LoyaltyQueries(graphene.ObjectType):
    my_loyalty = PermissionsField(
        Loyalty,
        permissions=[CUSTOMER],
        description="The signed-in customer's loyalty points in this channel; "
        "null where the channel has loyalty off.",
    )
    customer_loyalty = PermissionsField(
        Loyalty,
        email=graphene.String(),
        user_id=graphene.String(),
        permissions=[MANAGE_USERS],
        description="A customer's loyalty points in this channel, by email "
        "(guests too) or user id; null for a customer the plugin does not know.",
    )

    @staticmethod
    def resolve_my_loyalty(root, info):
        return resolvers.resolve_my_loyalty(info)

    @staticmethod
    def resolve_customer_loyalty(root, info, email=None, user_id=None):
        return resolvers.resolve_customer_loyalty(info, email, user_id)


class LoyaltyMutations(graphene.ObjectType):
    redeem_loyalty_points = RedeemLoyaltyPoints.Field()
    adjust_loyalty_points = PermissionsField.of_mutation(
        AdjustLoyaltyPoints, [MANAGE_USERS]
    )
