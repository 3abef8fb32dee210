"""Staff's view of the campaign emails: ``campaignMessages``."""

import graphene
from graphene.types.datetime import DateTime

from ..campaigns.kinds import kinds
from ..campaigns.models import CampaignMessage, MessageStatus
from .cursors import decode_cursor, encode_cursor
from .permissions import MANAGE_USERS, PermissionsField
from .resolvers import MAX_PAGE, check_page_size

CURSOR_KIND = "campaign_message"

CampaignKindEnum = graphene.Enum(
    "CampaignKind", [(k.value.upper(), k.value) for k in kinds()]
)
CampaignMessageStatusEnum = graphene.Enum(
    "CampaignMessageStatus", [(s.value.upper(), s.value) for s in MessageStatus]
)


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


class CampaignMessagePageInfo(graphene.ObjectType):
    has_next_page = graphene.Boolean(required=True)
    end_cursor = graphene.String()


class CampaignMessageEdge(graphene.ObjectType):
    node = graphene.Field(CampaignMessageNode, required=True)
    cursor = graphene.String(required=True)


class CampaignMessageConnection(graphene.ObjectType):
    edges = graphene.NonNull(graphene.List(graphene.NonNull(CampaignMessageEdge)))
    page_info = graphene.Field(CampaignMessagePageInfo, required=True)


def resolve_campaign_messages(
    info, kind: str | None, status: str | None, first: int, after: str | None
) -> CampaignMessageConnection:
    check_page_size(first)
    after_id = decode_cursor(CURSOR_KIND, after) if after else None
    # Newest first by id: the pk is the index the keyset walks, and rows are
    # created as their campaign is scheduled.
    rows = CampaignMessage.objects.filter(channel=info.context.channel)
    if kind:
        rows = rows.filter(kind=kind)
    if status:
        rows = rows.filter(status=status)
    if after_id is not None:
        rows = rows.filter(pk__lt=after_id)
    page = list(rows.order_by("-pk")[: first + 1])
    edges = [
        CampaignMessageEdge(node=m, cursor=encode_cursor(CURSOR_KIND, m.pk))
        for m in page[:first]
    ]
    return CampaignMessageConnection(
        edges=edges,
        page_info=CampaignMessagePageInfo(
            has_next_page=len(page) > first,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )


def _resolve(root, info, first, kind=None, status=None, after=None):
    return resolve_campaign_messages(info, kind, status, first, after)


def campaign_messages_field() -> PermissionsField:
    """``Query.campaignMessages``, resolver and permission included."""
    return PermissionsField(
        CampaignMessageConnection,
        kind=CampaignKindEnum(),
        status=CampaignMessageStatusEnum(),
        first=graphene.Int(default_value=20, description=f"1 to {MAX_PAGE}."),
        after=graphene.String(),
        resolver=_resolve,
        permissions=[MANAGE_USERS],
        description="The channel's campaign emails, latest scheduled first, "
        "optionally of one kind and in one status.",
    )
