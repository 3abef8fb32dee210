"""Campaign data under erasure and guest-to-account merges."""

from ..models import Customer
from .models import CampaignMessage, CampaignUnsubscribe, MessageStatus


def erase(customer_ids: list[int]) -> None:
    """Cancel the customers' scheduled steps; keep sent ones without the person.

    The rows stay (a coupon code and its step count for the campaign's figures)
    but no longer name anyone.
    """
    messages = CampaignMessage.objects.filter(customer_id__in=customer_ids)
    messages.filter(status=MessageStatus.SCHEDULED).update(
        status=MessageStatus.CANCELLED
    )
    messages.update(customer=None, email="", last_error="")


def merge(guest: Customer, account: Customer) -> None:
    """The account takes the guest's campaign history; an unsubscribe holds."""
    CampaignMessage.objects.filter(customer=guest).update(customer=account)
    for row in CampaignUnsubscribe.objects.filter(customer=guest):
        kept = CampaignUnsubscribe.objects.filter(customer=account, channel=row.channel)
        if not kept.exists():
            CampaignUnsubscribe.objects.filter(pk=row.pk).update(customer=account)
        else:
            kept.filter(at__lt=row.at).update(at=row.at)
