"""Sending the campaign steps that are due, each at most once.

A sweep takes due rows one at a time under ``FOR UPDATE SKIP LOCKED`` (any
number of sweeps can run), checks the rules again, and commits the row as
``sending`` before the email leaves. Then:

- the backend accepted it: the row becomes ``sent``;
- the backend refused it (an SMTP error): the row goes back to ``scheduled``
  with a back-off, and ends ``failed`` after ``MAX_ATTEMPTS``;
- the worker died in between: the row stays ``sending``; a later sweep marks
  it ``failed`` after ``SENDING_TIMEOUT`` and never sends it again. Whether
  that one email left is unknown, and a missing reminder is better than two.
"""

import logging
from collections import Counter
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..core.events import EventType, JourneyEventData, Source, TouchChannel
from ..core.host import CouponRequest, Host, get_host
from ..core.recording import record_event
from . import email
from . import settings as campaign_settings
from .models import CampaignMessage, MessageStatus
from .rules import Send, Stop, Wait, decide

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
FIRST_RETRY = timedelta(minutes=5)
SENDING_TIMEOUT = timedelta(minutes=15)
MAX_ERROR_LENGTH = 2000
BATCH_SIZE = 200
STUCK = (
    "The worker stopped after claiming this send and before confirming it; "
    "not sent again (at most once)."
)


def sweep(now: datetime | None = None, limit: int = BATCH_SIZE) -> dict[str, int]:
    """Send (or settle) up to ``limit`` due steps; count what happened to each."""
    now = now or timezone.now()
    host = get_host()
    counts: Counter[str] = Counter()
    counts["failed"] += give_up_stuck(now)
    for _ in range(limit):
        outcome = send_next(now, host)
        if outcome is None:
            break
        counts[outcome] += 1
    return {name: count for name, count in counts.items() if count}


def give_up_stuck(now: datetime) -> int:
    return CampaignMessage.objects.filter(
        status=MessageStatus.SENDING, sent_at__lt=now - SENDING_TIMEOUT
    ).update(status=MessageStatus.FAILED, last_error=STUCK)


def _due(now: datetime):
    return (
        CampaignMessage.objects.filter(status=MessageStatus.SCHEDULED, due_at__lte=now)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("due_at", "id")
    )


def send_next(now: datetime, host: Host) -> str | None:
    """Settle the next due step: its outcome, or None when nothing is due."""
    message_id = None
    try:
        with transaction.atomic():
            message = (
                _due(now)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("customer")
                .first()
            )
            if message is None:
                return None
            message_id = message.pk
            decision = decide(message, now, host)
            if isinstance(decision, Wait):
                message.due_at = decision.until
                message.last_error = decision.reason
                message.save(update_fields=["due_at", "last_error"])
                return "postponed"
            if isinstance(decision, Stop):
                message.status = decision.status
                message.last_error = decision.reason
                message.save(update_fields=["status", "last_error"])
                return decision.status.value
            outgoing = _claim(message, decision, now, host)
    except Exception as error:
        # A coupon or a template that failed: nothing was claimed or sent.
        if message_id is None:
            raise
        return _failed(message_id, error, now)
    try:
        outgoing.send(fail_silently=False)
    except Exception as error:
        return _failed(message.pk, error, now)
    _confirm(message, decision, now)
    return "sent"


def _claim(message: CampaignMessage, send: Send, now: datetime, host: Host):
    coupon = send.step.coupon
    if coupon is not None and not message.coupon_code:
        # Keyed by the message: a retried send gets the code made before.
        expires_at = now + timedelta(
            days=campaign_settings.of(send.settings).coupon_valid_days
        )
        message.coupon_code = host.create_coupon(
            CouponRequest(
                channel=message.channel,
                reference=f"journey-campaign:{message.pk}",
                value=coupon.value,
                percentage=coupon.percentage,
                currency=send.checkout.currency
                if send.checkout
                else send.settings.currency,
                expires_at=expires_at,
            )
        )
        message.coupon_expires_at = expires_at
    outgoing = email.build(message, send, host)
    message.status = MessageStatus.SENDING
    message.sent_at = now
    message.attempts += 1
    message.email = send.email
    message.save(
        update_fields=[
            "status",
            "sent_at",
            "attempts",
            "email",
            "coupon_code",
            "coupon_expires_at",
        ]
    )
    return outgoing


def _confirm(message: CampaignMessage, send: Send, now: datetime) -> None:
    with transaction.atomic():
        CampaignMessage.objects.filter(
            pk=message.pk, status=MessageStatus.SENDING
        ).update(status=MessageStatus.SENT, last_error="")
        record_event(
            JourneyEventData(
                type=EventType.EMAIL_SENT,
                idempotency_key=f"journey-campaign:{message.pk}:sent",
                occurred_at=now,
                channel=message.channel,
                touch_channel=TouchChannel.EMAIL,
                source=Source(
                    utm_source="journey", utm_medium="email", utm_campaign=message.kind
                ),
                payload={"campaign": message.kind, "step": message.step},
            ),
            customer_id=send.customer.pk,
        )


def _failed(message_id: int, error: Exception, now: datetime) -> str:
    logger.warning("Campaign email %s not sent: %r", message_id, error)
    with transaction.atomic():
        message = CampaignMessage.objects.select_for_update().get(pk=message_id)
        # A failure before the claim did not count an attempt yet.
        attempts = message.attempts + (message.status == MessageStatus.SCHEDULED)
        message.attempts = attempts
        message.last_error = repr(error)[:MAX_ERROR_LENGTH]
        message.sent_at = None
        if attempts >= MAX_ATTEMPTS:
            message.status = MessageStatus.FAILED
        else:
            message.status = MessageStatus.SCHEDULED
            message.next_attempt_at = now + FIRST_RETRY * 2 ** (attempts - 1)
        message.save(
            update_fields=[
                "attempts",
                "last_error",
                "sent_at",
                "status",
                "next_attempt_at",
            ]
        )
        return "failed" if message.status == MessageStatus.FAILED else "retry"
