import graphene
from graphene.types.datetime import Date

from . import report_resolvers, resolvers
from .campaign_types import campaign_messages_field
from .enums import JourneyLanguageEnum, JourneyStageEnum
from .erasure_types import EraseGuestData
from .export_types import customer_data_export_field
from .loyalty_mutations import AdjustLoyaltyPoints, RedeemLoyaltyPoints
from .loyalty_types import Loyalty, resolve_customer_loyalty, resolve_my_loyalty
from .mutations import TrackJourneyEvent
from .permissions import CUSTOMER, MANAGE_ORDERS, MANAGE_USERS, PermissionsField
from .report_types import JourneyReport
from .review_types import ReviewConnection, resolve_reviews
from .types import Journey, JourneyConnection, StageDistribution


class Query(graphene.ObjectType):
    my_journey = PermissionsField(
        Journey,
        permissions=[CUSTOMER],
        description="The signed-in customer's journey in this channel.",
    )
    customer_journey = PermissionsField(
        Journey,
        email=graphene.String(),
        user_id=graphene.String(),
        permissions=[MANAGE_USERS],
        description="A customer's journey, by email (guests too) or user id.",
    )
    customers = PermissionsField(
        JourneyConnection,
        stage=JourneyStageEnum(),
        first=graphene.Int(default_value=20, description="1 to 100."),
        after=graphene.String(),
        permissions=[MANAGE_USERS],
        description="Customers in this channel, optionally in one stage.",
    )
    stage_distribution = PermissionsField(
        StageDistribution,
        language=JourneyLanguageEnum(),
        permissions=[MANAGE_USERS],
        description="How many customers stand in each stage.",
    )
    journey_report = PermissionsField(
        JourneyReport,
        from_=Date(required=True, name="from", description="The first day."),
        to=Date(required=True, description="The first day after the period."),
        permissions=[MANAGE_ORDERS],
        description="The store reports over calendar days [from, to) in the "
        "channel's time zone, at most 1096 days.",
    )
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
    customer_data_export = customer_data_export_field()
    campaign_messages = campaign_messages_field()

    reviews = PermissionsField(
        ReviewConnection,
        rating=graphene.Int(description="Only reviews of this rating, 1 to 5."),
        verified=graphene.Boolean(description="Only verified, or only unverified."),
        first=graphene.Int(default_value=20, description="1 to 100."),
        after=graphene.String(),
        permissions=[MANAGE_USERS],
        description="Reviews received in this channel, newest first.",
    )

    @staticmethod
    def resolve_reviews(root, info, first, rating=None, verified=None, after=None):
        return resolve_reviews(info, rating, verified, first, after)

    @staticmethod
    def resolve_my_journey(root, info):
        return resolvers.resolve_my_journey(info)

    @staticmethod
    def resolve_customer_journey(root, info, email=None, user_id=None):
        return resolvers.resolve_customer_journey(info, email, user_id)

    @staticmethod
    def resolve_customers(root, info, first, stage=None, after=None):
        return resolvers.resolve_customers(info, stage, first, after)

    @staticmethod
    def resolve_stage_distribution(root, info, language=None):
        return resolvers.resolve_stage_distribution(info, language)

    @staticmethod
    def resolve_journey_report(root, info, from_, to):
        return report_resolvers.resolve_journey_report(info, from_, to)

    @staticmethod
    def resolve_my_loyalty(root, info):
        return resolve_my_loyalty(info)

    @staticmethod
    def resolve_customer_loyalty(root, info, email=None, user_id=None):
        return resolve_customer_loyalty(info, email, user_id)


class Mutation(graphene.ObjectType):
    track_journey_event = TrackJourneyEvent.Field()
    redeem_loyalty_points = RedeemLoyaltyPoints.Field()
    adjust_loyalty_points = PermissionsField.of_mutation(
        AdjustLoyaltyPoints, [MANAGE_USERS]
    )
    erase_guest_data = PermissionsField.of_mutation(EraseGuestData, [MANAGE_USERS])


schema = graphene.Schema(query=Query, mutation=Mutation)
