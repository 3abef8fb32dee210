"""Campaign data under erasure and guest-to-account merges."""

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
