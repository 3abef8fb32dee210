"""Campaign data under erasure, guest-to-account merges and exports."""

from typing import Any

from ..core.export import when
from ..models import Customer
from .models import CampaignMessage, CampaignUnsubscribe, MessageStatus


def erase(customer_ids: list[int], user_id: str, email: str) -> None:
    """Cancel the customers' scheduled steps; keep sent ones without the person.

    The rows stay (a coupon code and its step count for the campaign's figures)
    but no longer name anyone.
    """
    messages = CampaignMessage.objects.filter(customer_id__in=customer_ids)
    messages.filter(status=MessageStatus.SCHEDULED).update(
        status=MessageStatus.CANCELLED
    )
    messages.update(customer=None, email="", last_error="")


def merge(guest: int, account: int) -> None:
    """The account takes the guest's campaign history; an unsubscribe holds."""
    CampaignMessage.objects.filter(customer_id=guest).update(customer_id=account)
    for row in CampaignUnsubscribe.objects.filter(customer_id=guest):
        kept = CampaignUnsubscribe.objects.filter(
            customer_id=account, channel=row.channel
        )
        if not kept.exists():
            CampaignUnsubscribe.objects.filter(pk=row.pk).update(customer_id=account)
        else:
            kept.filter(at__lt=row.at).update(at=row.at)


def export(customer: Customer, channel: str) -> dict[str, Any]:
    """The customer's campaign emails in the channel and whether they left.

    What the email was and what became of it; not the sending machinery's
    own bookkeeping (attempts, retry times, the mail server's errors).
    """
    messages = (
        CampaignMessage.objects.filter(channel=channel, customer=customer)
        .prefetch_related("clicks")
        .order_by("due_at", "pk")
    )
    unsubscribed = (
        CampaignUnsubscribe.objects.filter(channel=channel, customer=customer)
        .values_list("at", flat=True)
        .first()
    )
    return {
        "unsubscribed_at": when(unsubscribed),
        "messages": [
            {
                "kind": m.kind,
                "step": m.step,
                "subject": m.subject,
                "status": m.status,
                "email": m.email,
                "due_at": when(m.due_at),
                "sent_at": when(m.sent_at),
                "coupon_code": m.coupon_code or None,
                "coupon_expires_at": when(m.coupon_expires_at),
                "clicked_at": sorted(when(c.at) for c in m.clicks.all()),
            }
            for m in messages
        ],
    }
