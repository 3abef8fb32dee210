"""Staff's view of the campaign emails: ``campaignMessages``."""

import graphene
from graphene.types.datetime import DateTime

from ..paging import connection_type
from .enums import CampaignKindEnum, CampaignMessageStatusEnum


class CampaignMessageNode(graphene.ObjectType):
    class Meta:
        name = "CampaignMessage"

    kind = graphene.Field(CampaignKindEnum, required=True)
    step = graphene.Int(required=True, description="1 for the campaign's first email.")
    subject = graphene.String(
        required=True,
        description="What the campaign is about: a checkout token, an order id "
        "or, for a win-back, the customer.",
    )
    status = graphene.Field(CampaignMessageStatusEnum, required=True)
    email = graphene.String(description="The address it goes to, once known.")
    due_at = DateTime(required=True, description="When it is (or was) due.")
    sent_at = DateTime(description="When it was claimed for sending.")
    attempts = graphene.Int(required=True)
    last_error = graphene.String(description="Why the last attempt failed, if it did.")
    coupon_code = graphene.String(description="The coupon it carries, if any.")

    @staticmethod
    def resolve_email(root, info):
        return root.email or None

    @staticmethod
    def resolve_last_error(root, info):
        return root.last_error or None

    @staticmethod
    def resolve_coupon_code(root, info):
        return root.coupon_code or None


CampaignMessageConnection = connection_type(
    "CampaignMessage", CampaignMessageNode, page_info="CampaignMessagePageInfo"
)
