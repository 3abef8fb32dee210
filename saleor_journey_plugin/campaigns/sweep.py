"""Sending the campaign steps that are due, each at most once.

A sweep works in batches. Claiming a batch is one transaction: the due rows
taken ``FOR UPDATE SKIP LOCKED`` (any number of sweeps can run), the rules
checked for the whole batch (``rules.decide_all``: a handful of grouped
queries, the frequency cap under the customers' advisory locks), the rows
that wait or stop updated, coupons made, and the rows to send committed as
``sending`` before any email leaves. Then each email is rendered and sent,
and:

- the backend accepted it: the row becomes ``sent``;
- rendering failed or the backend refused it (an SMTP error): the row goes
  back to ``scheduled`` with a back-off, and ends ``failed`` after
  ``MAX_ATTEMPTS``; the batch's other emails go on;
- the worker died in between: the row stays ``sending``; a later sweep marks
  it ``failed`` after ``SENDING_TIMEOUT`` and never sends it again. Whether
  that one email left is unknown, and a missing reminder is better than two.
"""

import logging
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from ..core.events import EventType, JourneyEventData, Source, TouchChannel
from ..core.host import CouponRequest, Host, get_host
from ..core.recording import record_event
from . import email
from . import settings as campaign_settings
from .models import CampaignMessage, MessageStatus
from .rules import Send, Stop, Wait, decide_all

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
FIRST_RETRY = timedelta(minutes=5)
SENDING_TIMEOUT = timedelta(minutes=15)
MAX_ERROR_LENGTH = 2000
# The default number of steps one sweep settles (the beat task's).
BATCH_SIZE = 200
# Rows claimed in one transaction.
CLAIM_SIZE = 500
# A batch still sending after this long gives its unsent rows back (claimed,
# never sent), well before another sweep could take them for stuck.
SEND_BUDGET = SENDING_TIMEOUT / 3
STUCK = (
    "The worker stopped after claiming this send and before confirming it; "
    "not sent again (at most once)."
)


@dataclass
class Claimed:
    """A batch's outcome after its claim: the settled counts, the rows to send."""

    counts: Counter[str]
    sends: list[tuple[CampaignMessage, Send]]
    # Rows taken (settled, claimed or failed): zero, nothing was due.
    taken: int
    # Rows whose coupon failed: retried once the claim is committed.
    failures: list[tuple[int, Exception]] = field(default_factory=list)


def sweep(now: datetime | None = None, limit: int = BATCH_SIZE) -> dict[str, int]:
    """Send (or settle) up to ``limit`` due steps; count what happened to each."""
    now = now or timezone.now()
    host = get_host()
    counts: Counter[str] = Counter()
    counts["failed"] += give_up_stuck(now)
    left = limit
    while left > 0:
        claimed = claim(now, host, min(left, CLAIM_SIZE))
        if claimed.taken == 0:
            break
        counts.update(claimed.counts)
        sent, finished = send(claimed.sends, now, host)
        counts.update(sent)
        if not finished:
            # The mail server is too slow to go on: the next sweep will.
            break
        left -= claimed.taken
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


def claim(now: datetime, host: Host, size: int, only: int | None = None) -> Claimed:
    """Take up to ``size`` due rows, settle those that wait or stop, and
    commit those to send as ``sending``.

    When the batch's rules fail as a whole (a host that cannot answer), its
    rows are claimed again one by one: a row that fails alone goes through
    the retries, the others are settled as usual.
    """
    ids: list[int] = []
    try:
        with transaction.atomic():
            due = _due(now)
            if only is not None:
                due = due.filter(pk=only)
            messages = list(
                due.select_for_update(skip_locked=True, of=("self",)).select_related(
                    "customer"
                )[:size]
            )
            ids = [message.pk for message in messages]
            if not messages:
                return Claimed(Counter(), [], 0)
            claimed = _settle(messages, now, host)
    except Exception as error:
        if not ids:
            raise
        if len(ids) == 1:
            # A coupon or a rule that failed: nothing was claimed or sent.
            return Claimed(Counter([_failed(ids[0], error, now)]), [], 1)
    else:
        for message_id, failure in claimed.failures:
            claimed.counts[_failed(message_id, failure, now)] += 1
        return claimed
    logger.warning("Claiming %s campaign steps at once failed; one by one", len(ids))
    counts: Counter[str] = Counter()
    sends: list[tuple[CampaignMessage, Send]] = []
    for message_id in ids:
        alone = claim(now, host, 1, only=message_id)
        counts.update(alone.counts)
        sends.extend(alone.sends)
    return Claimed(counts, sends, len(ids))


def _settle(messages: Sequence[CampaignMessage], now: datetime, host: Host) -> Claimed:
    decisions = decide_all(messages, now, host)
    counts: Counter[str] = Counter()
    waiting: list[CampaignMessage] = []
    stopped: list[CampaignMessage] = []
    sends: list[tuple[CampaignMessage, Send]] = []
    failures: list[tuple[int, Exception]] = []
    for message in messages:
        decision = decisions[message.pk]
        if isinstance(decision, Wait):
            message.due_at = decision.until
            message.last_error = decision.reason
            waiting.append(message)
            counts["postponed"] += 1
        elif isinstance(decision, Stop):
            message.status = decision.status
            message.last_error = decision.reason
            stopped.append(message)
            counts[decision.status.value] += 1
        else:
            if _needs_coupon(message, decision):
                try:
                    # A savepoint: a coupon that failed fails its own send only.
                    with transaction.atomic():
                        _coupon(message, decision, now, host)
                except Exception as error:
                    failures.append((message.pk, error))
                    continue
            message.status = MessageStatus.SENDING
            message.sent_at = now
            message.attempts += 1
            message.email = decision.email
            # The row names whom it went to: its links act on them.
            message.customer = decision.customer
            sends.append((message, decision))
    _write(waiting, stopped, [message for message, _ in sends], now)
    return Claimed(counts, sends, len(messages), failures)


def _write(
    waiting: list[CampaignMessage],
    stopped: list[CampaignMessage],
    claimed: list[CampaignMessage],
    now: datetime,
) -> None:
    """The batch's new states: one UPDATE each for the waiting, the stopped
    and the claimed rows (``bulk_update`` composes a CASE per row and field,
    which costs more than the whole claim otherwise does)."""
    if connection.vendor != "postgresql":
        # SQLite (the example store's demo) has no arrays to unnest.
        CampaignMessage.objects.bulk_update(waiting, ["due_at", "last_error"])
        CampaignMessage.objects.bulk_update(stopped, ["status", "last_error"])
        CampaignMessage.objects.bulk_update(
            claimed,
            [
                "status",
                "sent_at",
                "attempts",
                "email",
                "customer",
                "coupon_code",
                "coupon_expires_at",
            ],
        )
        return
    table = CampaignMessage._meta.db_table
    with connection.cursor() as cursor:
        if waiting:
            cursor.execute(
                f"UPDATE {table} AS m SET due_at = u.due_at, last_error = u.reason "
                "FROM unnest(%s::bigint[], %s::timestamptz[], %s::text[]) "
                "AS u (id, due_at, reason) WHERE m.id = u.id",
                [
                    [m.pk for m in waiting],
                    [m.due_at for m in waiting],
                    [m.last_error for m in waiting],
                ],
            )
        if stopped:
            cursor.execute(
                f"UPDATE {table} AS m SET status = u.status, last_error = u.reason "
                "FROM unnest(%s::bigint[], %s::text[], %s::text[]) "
                "AS u (id, status, reason) WHERE m.id = u.id",
                [
                    [m.pk for m in stopped],
                    [MessageStatus(m.status).value for m in stopped],
                    [m.last_error for m in stopped],
                ],
            )
        if claimed:
            cursor.execute(
                f"UPDATE {table} AS m SET status = %s, sent_at = %s, "
                "attempts = u.attempts, email = u.email, customer_id = u.customer, "
                "coupon_code = u.code, coupon_expires_at = u.expires_at "
                "FROM unnest(%s::bigint[], %s::int[], %s::text[], %s::bigint[], "
                "%s::text[], %s::timestamptz[]) "
                "AS u (id, attempts, email, customer, code, expires_at) "
                "WHERE m.id = u.id",
                [
                    MessageStatus.SENDING.value,
                    now,
                    [m.pk for m in claimed],
                    [m.attempts for m in claimed],
                    [m.email for m in claimed],
                    [m.customer_id for m in claimed],
                    [m.coupon_code for m in claimed],
                    [m.coupon_expires_at for m in claimed],
                ],
            )


def _needs_coupon(message: CampaignMessage, decision: Send) -> bool:
    # Keyed by the message: a retried send has the code made before.
    return decision.step.coupon is not None and not message.coupon_code


def _coupon(
    message: CampaignMessage, decision: Send, now: datetime, host: Host
) -> None:
    coupon = decision.step.coupon
    assert coupon is not None
    expires_at = now + timedelta(
        days=campaign_settings.of(decision.settings).coupon_valid_days
    )
    message.coupon_code = host.create_coupon(
        CouponRequest(
            channel=message.channel,
            reference=f"journey-campaign:{message.pk}",
            value=coupon.value,
            percentage=coupon.percentage,
            currency=decision.checkout.currency
            if decision.checkout
            else decision.settings.currency,
            expires_at=expires_at,
        )
    )
    message.coupon_expires_at = expires_at


def send(
    sends: list[tuple[CampaignMessage, Send]], now: datetime, host: Host
) -> tuple[Counter[str], bool]:
    """Render and send each claimed email, then confirm those that left; and
    whether all were tried (False: the rest was given back, out of time)."""
    counts: Counter[str] = Counter()
    finished = True
    started = time.monotonic()
    for position, (message, decision) in enumerate(sends):
        if time.monotonic() - started > SEND_BUDGET.total_seconds():
            _give_back([m.pk for m, _ in sends[position:]])
            finished = False
            break
        try:
            outgoing = email.build(message, decision, host)
            outgoing.send(fail_silently=False)
        except Exception as error:
            counts[_failed(message.pk, error, now)] += 1
            continue
        # Confirmed one by one: a worker that dies later in the batch leaves
        # the emails that did leave recorded as sent, with their touchpoint.
        _confirm(message, decision, now)
        counts["sent"] += 1
    return counts, finished


def _give_back(ids: list[int]) -> None:
    """Claimed rows never sent (the batch ran out of time): due again."""
    logger.warning("%s claimed campaign emails not sent in time; due again", len(ids))
    CampaignMessage.objects.filter(pk__in=ids, status=MessageStatus.SENDING).update(
        status=MessageStatus.SCHEDULED, sent_at=None, attempts=F("attempts") - 1
    )


def _confirm(message: CampaignMessage, decision: Send, now: datetime) -> None:
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
                    utm_source="journey",
                    utm_medium="email",
                    utm_campaign=message.kind,
                ),
                payload={"campaign": message.kind, "step": message.step},
            ),
            customer_id=decision.customer.pk,
        )


def _failed(message_id: int, error: Exception, now: datetime) -> str:
    with transaction.atomic():
        message = CampaignMessage.objects.select_for_update().get(pk=message_id)
        logger.warning(
            "Campaign email %s (customer %s) not sent: %s",
            message_id,
            message.customer_id,
            email.without_addresses(error),
        )
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
