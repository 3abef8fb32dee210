"""The rules checked when a step is due, not only when it was scheduled.

``decide`` answers one of: send (to whom, with what), wait until a later time
(the checkout changed, quiet hours, the frequency cap), cancel (the campaign is
over for this subject) or skip (this customer gets no campaign email).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Max, Q
from django.db.models.fields.json import KeyTextTransform

from ..core.events import EventType
from ..core.host import ChannelSettings, Checkout, Host
from ..models import Customer, JourneyEvent
from . import audience
from . import settings as campaign_settings
from .kinds import Kind
from .models import CampaignMessage, MessageStatus
from .settings import SUBSCRIBERS_ONLY
from .steps import Step

# An arbitrary key naming the frequency cap's per-customer advisory locks.
CAP_LOCK = 0x4A43


@dataclass(frozen=True)
class Send:
    email: str
    step: Step
    settings: ChannelSettings
    customer: Customer
    checkout: Checkout | None = None


@dataclass(frozen=True)
class Wait:
    until: datetime
    reason: str


@dataclass(frozen=True)
class Stop:
    status: MessageStatus
    reason: str


Decision = Send | Wait | Stop


def decide(message: CampaignMessage, now: datetime, host: Host) -> Decision:
    kind = Kind(message.kind)
    settings = host.channel_settings(message.channel)
    if settings is None or kind not in campaign_settings.of(settings).enabled:
        return Stop(MessageStatus.CANCELLED, "The campaign is off in this channel.")
    steps = campaign_settings.of(settings).steps[kind]
    if message.step > len(steps):
        return Stop(MessageStatus.CANCELLED, "The step was removed from the campaign.")
    step = steps[message.step - 1]
    customer = message.customer
    if customer is None:
        return Stop(MessageStatus.CANCELLED, "The customer was erased.")
    if audience.is_unsubscribed(customer.pk, message.channel):
        return Stop(MessageStatus.CANCELLED, "The customer unsubscribed.")
    ended = _ended(kind, message, customer.pk)
    if ended:
        return Stop(MessageStatus.CANCELLED, ended)
    checkout = None
    if kind is Kind.ABANDONED_CHECKOUT:
        checkout = host.read_checkout(message.subject)
        if checkout is None:
            return Stop(MessageStatus.CANCELLED, "The checkout was deleted.")
        if checkout.ordered:
            return Stop(MessageStatus.CANCELLED, "An order was placed from it.")
        if not checkout.lines:
            return Stop(MessageStatus.CANCELLED, "The checkout was emptied.")
        due = checkout.last_change + step.delay
        if due > now:
            return Wait(due, "The checkout changed since.")
    email = (checkout.email if checkout else "") or customer.email or message.email
    if not email:
        return Stop(MessageStatus.SKIPPED, "No email address.")
    user_id = customer.user_id or (checkout.user_id if checkout else "")
    if user_id and host.skips_user(user_id):
        return Stop(MessageStatus.SKIPPED, "Staff or inactive user.")
    campaigns = campaign_settings.of(settings)
    if campaigns.audience == SUBSCRIBERS_ONLY and not audience.is_subscriber(
        customer.pk, message.channel
    ):
        return Stop(MessageStatus.SKIPPED, "No marketing opt-in on record.")
    if campaigns.quiet_hours is not None:
        end = campaigns.quiet_hours.end_after(now, settings.time_zone)
        if end > now:
            return Wait(end, "Quiet hours.")
    if campaigns.min_hours_between_emails:
        free_at = _cap_free_at(
            customer.pk, message.pk, timedelta(hours=campaigns.min_hours_between_emails)
        )
        if free_at is not None and free_at > now:
            return Wait(free_at, "Frequency cap.")
    return Send(
        email=email,
        step=step,
        settings=settings,
        customer=customer,
        checkout=checkout,
    )


def _ended(kind: Kind, message: CampaignMessage, customer_id: int) -> str:
    """Why the customer's own events end this campaign; empty if they do not."""
    events = JourneyEvent.objects.filter(channel=message.channel)
    mine = Q(customer_id=customer_id, occurred_at__gte=message.triggered_at)
    if kind is Kind.ABANDONED_CHECKOUT:
        placed = events.annotate(token=KeyTextTransform("checkout", "payload")).filter(
            Q(token=message.subject) | mine, type=EventType.ORDER_PLACED.value
        )
        return "An order was placed." if placed.exists() else ""
    if kind is Kind.WIN_BACK:
        paid = events.filter(mine, type=EventType.ORDER_PAID.value)
        return "The customer paid for an order." if paid.exists() else ""
    reviewed = events.filter(
        Q(payload__order_id=message.subject) | Q(payload__order=message.subject),
        customer_id=customer_id,
        type=EventType.REVIEW_SUBMITTED.value,
    )
    return "The customer reviewed the order." if reviewed.exists() else ""


def _cap_free_at(customer_id: int, message_id: int, gap: timedelta) -> datetime | None:
    """When the customer may get the next campaign email (None: now).

    Holds the customer's advisory lock to the end of the transaction, so two
    sweeps claiming two of their steps at once take turns: the second sees the
    first's claim.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)",
                [CAP_LOCK, customer_id % 2**31],
            )
    last = (
        CampaignMessage.objects.filter(
            customer_id=customer_id,
            status__in=[MessageStatus.SENDING, MessageStatus.SENT],
        )
        .exclude(pk=message_id)
        .aggregate(at=Max("sent_at"))["at"]
    )
    return last + gap if last is not None else None
