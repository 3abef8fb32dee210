import graphene
from graphene.types.datetime import Date

from ..permissions import MANAGE_ORDERS, PermissionsField
from . import resolvers
from .types import JourneyReport


class ReportQueries(graphene.ObjectType):
    journey_report = PermissionsField(
        JourneyReport,
        from_=Date(required=True, name="from", description="The first day."),
        to=Date(required=True, description="The first day after the period."),
        permissions=[MANAGE_ORDERS],
        description="The store reports over calendar days [from, to) in the "
        "channel's time zone, at most 1096 days.",
    )

    @staticmethod
    def resolve_journey_report(root, info, from_, to):
        return resolvers.resolve_journey_report(info, from_, to)
