import graphene

from ..enums import JourneyLanguageEnum, JourneyStageEnum
from ..paging import page_size_arg
from ..permissions import CUSTOMER, MANAGE_USERS, PermissionsField
from . import resolvers
from .mutations import TrackJourneyEvent
from .types import Journey, JourneyConnection, StageDistribution


class JourneyQueries(graphene.ObjectType):
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
        first=page_size_arg(),
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


class JourneyMutations(graphene.ObjectType):
    track_journey_event = TrackJourneyEvent.Field()
