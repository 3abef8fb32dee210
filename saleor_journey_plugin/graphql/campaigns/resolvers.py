from typing import Any

from ...campaigns.models import CampaignMessage
from ..paging import check_page_size, connection, decode_cursor

CURSOR_KIND = "campaign_message"


def resolve_campaign_messages(
    info, kind: str | None, status: str | None, first: int, after: str | None
) -> dict[str, Any]:
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
    return connection(page[:first], len(page) > first, CURSOR_KIND)
