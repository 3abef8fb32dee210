import graphene

from ...campaigns.kinds import kinds
from ...campaigns.models import MessageStatus

CampaignKindEnum = graphene.Enum(
    "CampaignKind", [(k.value.upper(), k.value) for k in kinds()]
)
CampaignMessageStatusEnum = graphene.Enum(
    "CampaignMessageStatus", [(s.value.upper(), s.value) for s in MessageStatus]
)
