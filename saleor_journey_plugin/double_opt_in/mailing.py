"""Sending each anonymous opt-in request its confirmation email, at most once.

The drain applies a ``NEWSLETTER_OPT_IN_REQUESTED`` event; this module's
follower inserts one ``OptInEmail`` row for it (unique per request, so a
redelivered or replayed request queues nothing twice) and, once the drain
commits, wakes the sending task. Hooks and requests never send mail.

Sending claims the pending rows ``FOR UPDATE SKIP LOCKED`` and commits them
as ``sending`` before any email leaves, as the campaign sweep does: a worker
that dies in between leaves the row ``sending`` and it is never sent again.
A refused email (an SMTP error) is retried with a back-off.

An address gets at most one confirmation email per ``EMAIL_INTERVAL``,
whatever channel or visitor asks: anyone can type any address into a
sign-up form, so repeating the sign-up must not flood its owner. A request
inside the window is ``skipped``; the link already mailed still confirms.
"""

import logging
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta

from celery import current_app
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from ..campaigns.email import without_addresses
from ..core import followers
from ..core.events import EventType, normalize_email
from ..core.host import get_host
from ..models import JourneyEvent
from ..publishing import publisher
from . import message
from .models import EmailStatus, OptInEmail, OptInMailbox

logger = logging.getLogger(__name__)

# At most one confirmation email per address in this long. A day lets a
# visitor who lost the first email ask again tomorrow, and keeps what a
# stranger can send one address to one email a day.
EMAIL_INTERVAL = timedelta(hours=24)
MAX_ATTEMPTS = 5
FIRST_RETRY = timedelta(minutes=1)
SENDING_TIMEOUT = timedelta(minutes=15)
BATCH_SIZE = 100
ADDRESS_SALT = "saleor_journey_plugin.opt_in.address"

RATE_LIMITED = (
    "A confirmation email went to this address less than "
    f"{int(EMAIL_INTERVAL.total_seconds() // 3600)} hours ago."
)
ERASED = "The request was erased before its email was sent."
STUCK = (
    "The worker stopped after claiming this email and before confirming it; "
    "not sent again (at most once)."
)

_REQUESTED = EventType.NEWSLETTER_OPT_IN_REQUESTED.value
_MAILBOX = OptInMailbox._meta.db_table
# The address's window is taken when it is free (its last email is older than
# the interval) or already this email's (a retry); RETURNING says which.
_TAKE_ADDRESS = (
    f"INSERT INTO {_MAILBOX} (address, email, claimed_at) VALUES (%s, %s, %s) "
    f"ON CONFLICT (address) DO UPDATE SET email = EXCLUDED.email, "
    f"claimed_at = EXCLUDED.claimed_at WHERE {_MAILBOX}.claimed_at <= %s "
    f"OR {_MAILBOX}.email = EXCLUDED.email RETURNING address"
)


def address_key(email: str) -> str:
    return salted_hmac(
        ADDRESS_SALT, normalize_email(email), algorithm="sha256"
    ).hexdigest()


class Requests:
    """Follower of applied events: queues the email of each new request."""

    def fold(self, event_ids: Sequence[int], sign: int) -> None:
        if sign != 1 or followers.is_refold(event_ids):
            return
        requests = list(
            JourneyEvent.objects.filter(pk__in=list(event_ids), type=_REQUESTED)
            .exclude(email="")
            .values_list("pk", "channel")
        )
        if not requests:
            return
        OptInEmail.objects.bulk_create(
            [OptInEmail(request_id=pk, channel=channel) for pk, channel in requests],
            ignore_conflicts=True,
        )
        transaction.on_commit(wake_sender)


REQUESTS = Requests()


SENDING_TASK = "saleor_journey_plugin.send_opt_in_confirmations"


def wake_sender() -> None:
    """Queue the sending task; if the broker is down, beat's run sends."""
    try:
        if current_app.conf.task_always_eager:
            # No broker (the example store's demo): send right here.
            current_app.tasks[SENDING_TASK].apply()
        else:
            publisher.send(current_app, SENDING_TASK)
    except Exception:
        # Among the drain's commit callbacks: the events are applied anyway.
        logger.exception("Opt-in confirmations not woken; the periodic run will")


def send_pending(
    now: datetime | None = None, limit: int = BATCH_SIZE
) -> dict[str, int]:
    """Send (or skip) up to ``limit`` pending confirmation emails; count what
    happened to each."""
    now = now or timezone.now()
    counts: Counter[str] = Counter()
    counts["failed"] += OptInEmail.objects.filter(
        status=EmailStatus.SENDING, sent_at__lt=now - SENDING_TIMEOUT
    ).update(status=EmailStatus.FAILED, last_error=STUCK)
    # Windows that ended hold nothing: a digest is kept no longer than needed.
    OptInMailbox.objects.filter(claimed_at__lte=now - EMAIL_INTERVAL).delete()
    claimed = _claim(now, limit, counts)
    host = get_host()
    for email, address in claimed:
        try:
            message.build(email.request, address, host).send(fail_silently=False)
        except Exception as error:
            counts[_failed(email, error, now)] += 1
            continue
        OptInEmail.objects.filter(pk=email.pk, status=EmailStatus.SENDING).update(
            status=EmailStatus.SENT, last_error=""
        )
        counts["sent"] += 1
    return {name: count for name, count in counts.items() if count}


def _claim(
    now: datetime, limit: int, counts: Counter[str]
) -> list[tuple[OptInEmail, str]]:
    """Commit the due rows to send as ``sending``, and settle the skipped."""
    claimed: list[tuple[OptInEmail, str]] = []
    with transaction.atomic():
        due = list(
            OptInEmail.objects.filter(status=EmailStatus.PENDING)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("request")
            .order_by("created_at", "id")[:limit]
        )
        for email in due:
            address = normalize_email(email.request.email)
            reason = _skip_reason(email, address, now)
            if reason:
                email.status, email.last_error = EmailStatus.SKIPPED, reason
                email.save(update_fields=["status", "last_error"])
                counts["skipped"] += 1
                continue
            email.status, email.sent_at = EmailStatus.SENDING, now
            email.attempts += 1
            email.save(update_fields=["status", "sent_at", "attempts"])
            claimed.append((email, address))
    return claimed


def _skip_reason(email: OptInEmail, address: str, now: datetime) -> str:
    if not address:
        return ERASED
    with connection.cursor() as cursor:
        cursor.execute(
            _TAKE_ADDRESS,
            [address_key(address), email.pk, now, now - EMAIL_INTERVAL],
        )
        if cursor.fetchone() is None:
            return RATE_LIMITED
    return ""


def _failed(email: OptInEmail, error: Exception, now: datetime) -> str:
    logger.warning(
        "Opt-in confirmation %s not sent: %s", email.pk, without_addresses(error)
    )
    failed = email.attempts >= MAX_ATTEMPTS
    OptInEmail.objects.filter(pk=email.pk, status=EmailStatus.SENDING).update(
        status=EmailStatus.FAILED if failed else EmailStatus.PENDING,
        last_error=without_addresses(error),
        sent_at=None,
        next_attempt_at=now + FIRST_RETRY * 2 ** (email.attempts - 1),
    )
    return "failed" if failed else "retry"


def forget(customer_ids: list[int], user_id: str, email: str) -> None:
    """An erasure: the address's window goes with the rest of its data, and so
    does the address in every sign-up that named it.

    A sign-up is an anonymous visitor's, but the address it typed is the erased
    person's: blanked, its email is not sent and its link confirms nothing.
    """
    if email:
        OptInMailbox.objects.filter(address=address_key(email)).delete()
        JourneyEvent.objects.filter(
            type=_REQUESTED, email=normalize_email(email)
        ).update(email="")


def connect() -> None:
    from ..core import erasure

    followers.follow(REQUESTS)
    erasure.on_erase(forget)
