"""What the links in a campaign email do: unsubscribe, and count a click."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..core.events import EventType, JourneyEventData, Source, TouchChannel
from ..core.host import get_host
from ..service import record_and_wake
from . import settings as campaign_settings
from .audience import is_unsubscribed
from .email import destination
from .kinds import named
from .models import CampaignClick, CampaignMessage, CampaignUnsubscribe, MessageStatus
from .tokens import InvalidToken, read_click_token, read_unsubscribe_token


def _source(kind: str) -> Source:
    return Source(utm_source="journey", utm_medium="email", utm_campaign=kind)


def check_unsubscribe(token: str, channel: str) -> CampaignMessage:
    """The message whose unsubscribe link this is; InvalidToken if none.

    The link acts on the message's customer as it is now: whom it was sent
    to, or the account a guest recipient was merged into since (the guest's
    own id is gone by then). An erased recipient leaves nobody to act on.
    """
    data = read_unsubscribe_token(token)
    message = (
        CampaignMessage.objects.filter(
            pk=data.message_id, channel=data.channel, customer__isnull=False
        )
        .select_related("customer")
        .first()
    )
    if message is None or data.channel != channel:
        raise InvalidToken("This link names nothing in this channel.")
    return message


def unsubscribe(token: str, channel: str, now: datetime | None = None) -> bool:
    """Unsubscribe the link's customer from this channel's campaigns.

    True the first time; a second POST changes nothing. Scheduled steps are
    cancelled, and the journey records the unsubscribe (a pain point).
    """
    message = check_unsubscribe(token, channel)
    now = now or timezone.now()
    customer = message.customer
    assert customer is not None  # check_unsubscribe found them
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = CampaignUnsubscribe.objects.create(
                    channel=channel, customer=customer, at=now
                )
        except IntegrityError:
            if is_unsubscribed(customer.pk, channel):
                return False
            # Opted in again since, and unsubscribing again.
            row = CampaignUnsubscribe.objects.get(channel=channel, customer=customer)
            row.at = now
            row.save(update_fields=["at"])
        CampaignMessage.objects.filter(
            customer=customer, channel=channel, status=MessageStatus.SCHEDULED
        ).update(
            status=MessageStatus.CANCELLED, last_error="The customer unsubscribed."
        )
        # On this very customer: the token named them.
        record_and_wake(
            JourneyEventData(
                type=EventType.UNSUBSCRIBED,
                idempotency_key=(
                    f"journey-campaign:unsubscribe:{row.pk}:{row.at.isoformat()}"
                ),
                occurred_at=now,
                channel=channel,
                touch_channel=TouchChannel.EMAIL,
                source=_source(message.kind),
                payload={"campaign": message.kind},
            ),
            customer.pk,
        )
    return True


def click(token: str, channel: str, now: datetime | None = None) -> str:
    """Count the click and return where it goes (never a URL from the request)."""
    clicked = read_click_token(token)
    message = CampaignMessage.objects.filter(
        pk=clicked.message_id, channel=channel
    ).first()
    if message is None:
        raise InvalidToken("This link names nothing in this channel.")
    settings = get_host().channel_settings(channel)
    if settings is None or not campaign_settings.of(settings).checkout_url_template:
        raise InvalidToken("Campaigns are off in this channel.")
    now = now or timezone.now()
    with transaction.atomic():
        click = CampaignClick.objects.create(message=message, at=now)
        if message.customer_id is not None:
            record_and_wake(
                JourneyEventData(
                    type=EventType.EMAIL_CLICKED,
                    idempotency_key=f"journey-campaign:click:{click.pk}",
                    occurred_at=now,
                    channel=channel,
                    touch_channel=TouchChannel.EMAIL,
                    source=_source(message.kind),
                    payload={"campaign": message.kind, "step": message.step},
                ),
                message.customer_id,
            )
    return destination(
        named(message.kind),
        message.subject,
        campaign_settings.of(settings),
        product=clicked.product,
    )
