"""The plugin's own tables: customers, their journeys, the event log, transitions.

Each capability keeps its tables in its own package (``loyalty/models.py``...),
naming these by string (``"saleor_journey_plugin.Customer"``) as Saleor's apps
name each other's; ``apps.py`` has Django load them.
"""

from django.db import models
from django.db.models import Q
from django.db.models.fields.json import KeyTextTransform

from .core.events import EventType, TouchChannel
from .core.stages import Stage

STAGE_CHOICES = [(stage.value, stage.value) for stage in Stage]
EVENT_TYPE_CHOICES = [(t.value, t.value) for t in EventType]
TOUCH_CHANNEL_CHOICES = [(c.value, c.value) for c in TouchChannel]


class Customer(models.Model):
    """A store user, a guest known by email, or an anonymous visitor.

    A user has ``user_id``, and as ``email`` only the address the store's own
    account record gives (``ACCOUNT_FACTS``), never one typed into a checkout;
    one account holds an address at a time. A guest has only an email, which
    the store vouches for (a Saleor guest order, a confirmed opt-in). A visitor has the
    ``visitor_id`` its storefront made up; the email it may have typed is
    unverified, so it never joins the visitor to the guest or account using it.
    """

    user_id = models.CharField(max_length=64, null=True, blank=True, unique=True)
    visitor_id = models.CharField(max_length=64, null=True, blank=True, unique=True)
    email = models.CharField(max_length=254, blank=True, default="", db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "journey_customer"
        constraints = [
            models.UniqueConstraint(
                fields=["email"],
                condition=Q(user_id__isnull=True, visitor_id__isnull=True)
                & ~Q(email=""),
                name="journey_one_guest_per_email",
            ),
            models.UniqueConstraint(
                fields=["email"],
                condition=Q(user_id__isnull=False) & ~Q(email=""),
                name="journey_one_account_per_email",
            ),
        ]

    def __str__(self) -> str:
        return self.email or f"user {self.user_id}"


class Journey(models.Model):
    """One customer's position in one store channel."""

    customer = models.ForeignKey(
        Customer, related_name="journeys", on_delete=models.CASCADE
    )
    channel = models.CharField(max_length=255)
    # NULL: not in the funnel yet (only pain points or unstaged events so far).
    stage = models.CharField(max_length=32, choices=STAGE_CHOICES, null=True)  # noqa: DJ001
    stage_entered_at = models.DateTimeField(null=True)
    paid_orders = models.PositiveIntegerField(default=0)
    lapse_clock_from = models.DateTimeField(null=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "journey_journey"
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "channel"], name="journey_one_per_channel"
            )
        ]
        indexes = [models.Index(fields=["channel", "stage"])]

    def __str__(self) -> str:
        return f"{self.customer} in {self.channel}: {self.stage}"


class JourneyEvent(models.Model):
    """The append-only event log.

    What happened (type, identity, time, source, payload) never changes after the
    insert; ``customer``, ``stage`` and ``processed_at`` record how it was
    processed. Erasure is the one exception: it blanks personal data.
    """

    # An HMAC of the adapter's key (``recording.stored_key``): the key may name
    # an email or a visitor, and what is stored must not.
    idempotency_key = models.CharField(max_length=64, unique=True)
    type = models.CharField(max_length=32, choices=EVENT_TYPE_CHOICES)
    channel = models.CharField(max_length=255, blank=True, default="")
    user_id = models.CharField(max_length=64, blank=True, default="")
    email = models.CharField(max_length=254, blank=True, default="")
    visitor_id = models.CharField(max_length=64, blank=True, default="")
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    touch_channel = models.CharField(
        max_length=16, choices=TOUCH_CHANNEL_CHOICES, default=TouchChannel.WEB.value
    )
    utm_source = models.CharField(max_length=255, blank=True, default="")
    utm_medium = models.CharField(max_length=255, blank=True, default="")
    utm_campaign = models.CharField(max_length=255, blank=True, default="")
    referrer = models.CharField(max_length=1024, blank=True, default="")
    search_term = models.CharField(max_length=255, blank=True, default="")
    payload = models.JSONField(default=dict, blank=True)

    customer = models.ForeignKey(
        Customer,
        related_name="events",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        # The (customer, channel, occurred_at) index below serves customer_id.
        db_index=False,
    )
    # The stage the customer was in once this event was applied (the journey
    # map's column for this touchpoint); empty for customer-wide events.
    stage = models.CharField(
        max_length=32, choices=STAGE_CHOICES, blank=True, default=""
    )
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    retry_after = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "journey_event"
        indexes = [
            # The drain's own order: it walks waiting events oldest first.
            models.Index(
                fields=["occurred_at", "id"],
                condition=Q(processed_at__isnull=True),
                name="journey_event_waiting",
            ),
            models.Index(fields=["customer", "channel", "occurred_at"]),
            models.Index(fields=["type", "occurred_at"]),
            # Checkout milestones, orders and abandonments found by checkout token.
            models.Index(
                KeyTextTransform("checkout", "payload"),
                "type",
                name="journey_event_checkout",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.idempotency_key}"


class StageTransition(models.Model):
    """A stage change, with the event that caused it."""

    journey = models.ForeignKey(
        Journey, related_name="transitions", on_delete=models.CASCADE
    )
    event = models.ForeignKey(
        JourneyEvent, related_name="transitions", on_delete=models.CASCADE
    )
    # NULL: the customer's first stage, entered from outside the funnel.
    from_stage = models.CharField(  # noqa: DJ001
        max_length=32, choices=STAGE_CHOICES, null=True
    )
    to_stage = models.CharField(max_length=32, choices=STAGE_CHOICES)
    occurred_at = models.DateTimeField()
    win_back = models.BooleanField(default=False)
    # The journey's channel, so that reports find a channel's transitions by time.
    channel = models.CharField(max_length=255, blank=True, default="")
    # Facts from the journey's other transitions (``core/timeline.py``).
    entered_from_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)
    cohort_at = models.DateTimeField(null=True, blank=True)
    reached_rank = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        db_table = "journey_stage_transition"
        constraints = [
            models.UniqueConstraint(
                fields=["journey", "event"], name="journey_one_transition_per_event"
            )
        ]
        indexes = [
            models.Index(fields=["journey", "occurred_at"]),
            # Transitions of a period (time in stage, lapses, win-backs),
            # covering what those reports read: a year's transitions are read
            # from the index alone, not fetched row by row from the table.
            models.Index(
                fields=["channel", "occurred_at"],
                include=["from_stage", "entered_from_at", "to_stage", "win_back"],
                name="journey_transition_when",
            ),
            # A funnel cohort's transitions, covering what the funnel reads.
            models.Index(
                fields=["channel", "cohort_at"],
                include=[
                    "reached_rank",
                    "occurred_at",
                    "left_at",
                    "from_stage",
                    "to_stage",
                    "entered_from_at",
                ],
                name="journey_transition_cohort",
            ),
            # Where journeys are now, and where they were at a recent instant.
            models.Index(
                fields=["channel", "to_stage", "occurred_at"],
                condition=Q(left_at__isnull=True),
                name="journey_transition_latest",
            ),
            models.Index(
                fields=["channel", "to_stage", "left_at"],
                name="journey_transition_left",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_stage} -> {self.to_stage}"


class ProcessingRequest(models.Model):
    """A single row, set while waiting events have a drain task on its way.

    The wake-up publishes a task only when it is the one to set it, so a
    burst of events costs the broker one message; the task clears it before
    it looks for work, so an event recorded meanwhile is never left without a
    task. ``taken_at`` (when a task last cleared it) spaces the tasks out: the
    next one is published to start a few seconds after it.
    """

    requested = models.BooleanField(default=False)
    taken_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "journey_processing_request"

    def __str__(self) -> str:
        return "requested" if self.requested else "idle"
