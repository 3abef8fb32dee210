"""The double opt-in's tables: an email per request, a window per address."""

from django.db import models
from django.db.models import Q


class EmailStatus(models.TextChoices):
    PENDING = "pending"
    # Claimed and committed before the email leaves: a row left here by a
    # worker that died is never sent again (at most once).
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    # Not sent on purpose: rate limited, or the request was erased.
    SKIPPED = "skipped"


class OptInEmail(models.Model):
    """The confirmation email of one anonymous opt-in request (its event).

    The address is read from the request at send time, so an erasure that
    blanks the request also stops its email; nothing personal is kept here.
    """

    request = models.OneToOneField(
        "saleor_journey_plugin.JourneyEvent",
        related_name="opt_in_email",
        on_delete=models.CASCADE,
    )
    channel = models.CharField(max_length=255)
    status = models.CharField(
        max_length=16, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    # Set when the send is claimed, before the email leaves.
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "journey_opt_in_email"
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(status="pending"),
                name="journey_opt_in_email_pending",
            ),
            models.Index(
                fields=["sent_at"],
                condition=Q(status="sending"),
                name="journey_opt_in_email_sending",
            ),
        ]

    def __str__(self) -> str:
        return f"opt-in email for {self.request_id}: {self.status}"


class OptInMailbox(models.Model):
    """The last confirmation email an address was given: the per-address limit.

    ``address`` is a keyed digest of the normalized address, not the address.
    """

    address = models.CharField(max_length=64, primary_key=True)
    # The email holding the address's window: its own retries may still send.
    email = models.BigIntegerField()
    claimed_at = models.DateTimeField()

    class Meta:
        db_table = "journey_opt_in_mailbox"
        indexes = [
            models.Index(fields=["claimed_at"], name="journey_opt_in_mailbox_at")
        ]

    def __str__(self) -> str:
        return f"{self.address[:8]} mailed {self.claimed_at}"
