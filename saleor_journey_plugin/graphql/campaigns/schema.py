import graphene

from ..paging import page_size_arg
from ..permissions import MANAGE_USERS, PermissionsField
from . import resolvers
from .enums import CampaignKindEnum, CampaignMessageStatusEnum
from .types import CampaignMessageConnection


class CampaignQueries(graphene.ObjectType):
    campaign_messages = PermissionsField(
        CampaignMessageConnection,
        kind=CampaignKindEnum(),
        status=CampaignMessageStatusEnum(),
        first=page_size_arg(),
        after=graphene.String(),
        permissions=[MANAGE_USERS],
        description="The channel's campaign emails, latest scheduled first, "
        "optionally of one kind and in one status.",
    )

    @staticmethod
    def resolve_campaign_messages(
        root, info, first, kind=None, status=None, after=None
    ):
        return resolvers.resolve_campaign_messages(info, kind, status, first, after)
