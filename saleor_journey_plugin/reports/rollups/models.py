"""What the drain keeps for the reports, in step with the events it applies.

Rows are keyed by the event that made them (``event_id``) where a report needs
one row per fact (an order, a checkout, a review), and by channel and day
where a report only adds counts up (the journey map). Customers are plain ids,
not foreign keys: an erasure rewrites these rows itself (``fold.py``).
"""

from django.db import models
from django.db.models import Q


class RollupChannel(models.Model):
    """A channel's rollups: the time zone their days are in, and whether they
    hold every applied event (a rebuild is under way while they don't)."""

    channel = models.CharField(max_length=255, primary_key=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    ready = models.BooleanField(default=True)

    class Meta:
        db_table = "journey_rollup_channel"

    def __str__(self) -> str:
        return f"{self.channel} ({self.time_zone}{'' if self.ready else ', stale'})"


class RollupOrder(models.Model):
    """An order placed (an ORDER_PLACED event), with what the KPIs ask of it."""

    event_id = models.BigIntegerField(primary_key=True, serialize=False)
    channel = models.CharField(max_length=255)
    customer_id = models.BigIntegerField(null=True)
    placed_at = models.DateTimeField()
    currency = models.CharField(max_length=16, blank=True, default="")
    total = models.DecimalField(max_digits=30, decimal_places=6, null=True)
    order_id = models.CharField(max_length=255, null=True)  # noqa: DJ001
    checkout = models.CharField(max_length=255, null=True)  # noqa: DJ001
    # The earliest cancellation of the order (by ``order_id``) in the channel.
    cancelled_at = models.DateTimeField(null=True)
    # The customer's 1st, 2nd ... order in the channel, and when the one before
    # it was placed (None for the first, or for an order of nobody).
    ordinal = models.PositiveIntegerField(null=True)
    previous_placed_at = models.DateTimeField(null=True)

    class Meta:
        db_table = "journey_rollup_order"
        indexes = [
            models.Index(
                fields=["channel", "placed_at"],
                include=[
                    "customer_id",
                    "previous_placed_at",
                    "currency",
                    "total",
                    "cancelled_at",
                ],
                name="journey_rollup_order_placed",
            ),
            models.Index(
                fields=["channel", "order_id"], name="journey_rollup_order_id"
            ),
            # A customer's orders, numbered again when one of theirs is folded.
            models.Index(
                fields=["channel", "customer_id", "placed_at"],
                name="journey_rollup_order_buyer",
            ),
            # A customer's next orders, by when their previous one was placed.
            models.Index(
                fields=["channel", "previous_placed_at"],
                include=["placed_at", "customer_id", "currency"],
                condition=Q(previous_placed_at__isnull=False),
                name="journey_rollup_order_previous",
            ),
            # Orders cancelled after a period ended (the all-time sales).
            models.Index(
                fields=["channel", "cancelled_at"],
                condition=Q(cancelled_at__isnull=False),
                name="journey_rollup_order_cancelled",
            ),
            models.Index(
                fields=["channel", "checkout"], name="journey_rollup_order_checkout"
            ),
            models.Index(
                fields=["channel", "ordinal", "placed_at"],
                condition=Q(ordinal__lte=2),
                name="journey_rollup_order_buyers",
            ),
        ]

    def __str__(self) -> str:
        return f"order {self.order_id} in {self.channel}"


class RollupOrderEvent(models.Model):
    """A cancellation or a refund (partial or full) of an order, by ``order_id``."""

    CANCELLED = "C"
    REFUNDED = "R"

    event_id = models.BigIntegerField(primary_key=True, serialize=False)
    channel = models.CharField(max_length=255)
    kind = models.CharField(max_length=1)
    order_id = models.CharField(max_length=255, null=True)  # noqa: DJ001
    occurred_at = models.DateTimeField()
    currency = models.CharField(max_length=16, blank=True, default="")
    # The order's total, as the event carries it.
    amount = models.DecimalField(max_digits=30, decimal_places=6, null=True)
    # A refund: what it takes off revenue, in the currency's places (what it
    # adds to the most the order's earlier refunds said), kept by the fold.
    refunded = models.DecimalField(max_digits=30, decimal_places=6, null=True)

    class Meta:
        db_table = "journey_rollup_order_event"
        indexes = [
            models.Index(
                fields=["channel", "order_id", "kind"],
                name="journey_rollup_order_event_id",
            ),
            models.Index(
                fields=["channel", "kind", "occurred_at"],
                name="journey_rollup_order_event_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.order_id} in {self.channel}"


class RollupCheckout(models.Model):
    """A checkout started (a CHECKOUT_STARTED event) and whether it was ordered."""

    event_id = models.BigIntegerField(primary_key=True, serialize=False)
    channel = models.CharField(max_length=255)
    token = models.CharField(max_length=255, null=True)  # noqa: DJ001
    started_at = models.DateTimeField()
    # When the same token was last started before (None: never): a period
    # counts a token once, at its first start in the period.
    previous_started_at = models.DateTimeField(null=True)
    converted = models.BooleanField(default=False)

    class Meta:
        db_table = "journey_rollup_checkout"
        indexes = [
            models.Index(
                fields=["channel", "started_at"],
                include=["token", "previous_started_at", "converted"],
                name="journey_rollup_checkout_at",
            ),
            models.Index(
                fields=["channel", "token"], name="journey_rollup_checkout_tok"
            ),
            # A token's next starts, by when it was started before.
            models.Index(
                fields=["channel", "previous_started_at"],
                include=["started_at", "token", "converted"],
                condition=Q(previous_started_at__isnull=False),
                name="journey_rollup_checkout_again",
            ),
        ]

    def __str__(self) -> str:
        return f"checkout {self.token} in {self.channel}"


class RollupReview(models.Model):
    """A review rated 1 to 5, or an edit of one to a new rating (``edit``),
    and whether that rating was top-2-box."""

    event_id = models.BigIntegerField(primary_key=True, serialize=False)
    channel = models.CharField(max_length=255)
    occurred_at = models.DateTimeField()
    satisfied = models.BooleanField()
    # The review service's id: an edit rates the review with the same one.
    review_id = models.CharField(max_length=255, null=True)  # noqa: DJ001
    edit = models.BooleanField(default=False)

    class Meta:
        db_table = "journey_rollup_review"
        indexes = [
            models.Index(
                fields=["channel", "occurred_at"],
                include=["satisfied"],
                name="journey_rollup_review_at",
            ),
            models.Index(
                fields=["channel", "review_id", "occurred_at"],
                include=["satisfied"],
                condition=Q(edit=True),
                name="journey_rollup_review_edits",
            ),
        ]

    def __str__(self) -> str:
        return f"review {self.event_id} in {self.channel}"


class RollupActiveDay(models.Model):
    """A day (in the channel's time zone) a customer had a touchpoint."""

    channel = models.CharField(max_length=255)
    customer_id = models.BigIntegerField()
    day = models.DateField()
    events = models.IntegerField()
    # The customer's active day before this one: a period counts a customer
    # once, on the first of its days in the period.
    previous_day = models.DateField(null=True)

    class Meta:
        db_table = "journey_rollup_active_day"
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "customer_id", "day"],
                name="journey_rollup_one_active_day",
            )
        ]
        indexes = [
            models.Index(
                fields=["channel", "day"],
                include=["previous_day"],
                name="journey_rollup_active_on",
            )
        ]

    def __str__(self) -> str:
        return f"customer {self.customer_id} on {self.day} in {self.channel}"


class RollupTouch(models.Model):
    """Touchpoints of a day by the stage they counted in, type and channel.

    ``mood`` classes a review: 1 rated 2 or less, 2 rated 3, 3 rated 4 or
    more; 0 for every other event.
    """

    channel = models.CharField(max_length=255)
    day = models.DateField()
    stage = models.CharField(max_length=32, blank=True)
    type = models.CharField(max_length=32)
    touch_channel = models.CharField(max_length=16)
    mood = models.PositiveSmallIntegerField()
    events = models.IntegerField()

    class Meta:
        db_table = "journey_rollup_touch"
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "day", "stage", "type", "touch_channel", "mood"],
                name="journey_rollup_one_touch_row",
            )
        ]

    def __str__(self) -> str:
        return f"{self.events} {self.type} on {self.day} in {self.channel}"


class RollupSource(models.Model):
    """Touchpoints of a day by stage and UTM source (``kind`` s) or campaign (c)."""

    channel = models.CharField(max_length=255)
    day = models.DateField()
    stage = models.CharField(max_length=32, blank=True)
    kind = models.CharField(max_length=1)
    value = models.CharField(max_length=255)
    events = models.IntegerField()

    class Meta:
        db_table = "journey_rollup_source"
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "day", "stage", "kind", "value"],
                name="journey_rollup_one_source_row",
            )
        ]

    def __str__(self) -> str:
        return f"{self.events} from {self.value} on {self.day} in {self.channel}"


class RollupStageDay(models.Model):
    """How many journeys are in ``stage`` now, having entered it on ``day`` (UTC).

    Kept by triggers on ``journey_stage_transition`` (``tallies/transitions.py``).
    """

    channel = models.CharField(max_length=255)
    stage = models.CharField(max_length=32)
    day = models.DateField()
    journeys = models.IntegerField()

    class Meta:
        db_table = "journey_rollup_stage_day"
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "stage", "day"],
                name="journey_rollup_one_stage_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.journeys} in {self.stage} since {self.day} in {self.channel}"


class RollupOrderTotal(models.Model):
    """The channel's orders in a currency, summed (``tallies/orders.py``)."""

    channel = models.CharField(max_length=255)
    currency = models.CharField(max_length=16)
    first_orders = models.IntegerField()
    second_orders = models.IntegerField()
    sales = models.DecimalField(max_digits=30, decimal_places=6)
    cancelled_sales = models.DecimalField(max_digits=30, decimal_places=6)

    class Meta:
        db_table = "journey_rollup_order_total"
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "currency"], name="journey_rollup_one_order_total"
            )
        ]

    def __str__(self) -> str:
        return f"{self.first_orders} first orders in {self.currency} in {self.channel}"


class RollupActiveTotal(models.Model):
    """Per local day: customers active that day (``active``), and those of
    them active again on a later day (``came_back``)
    (``tallies/active_customers.py``)."""

    channel = models.CharField(max_length=255)
    day = models.DateField()
    active = models.IntegerField()
    came_back = models.IntegerField()

    class Meta:
        db_table = "journey_rollup_active_total"
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "day"],
                name="journey_rollup_one_active_total",
            )
        ]

    def __str__(self) -> str:
        return f"{self.active} active on {self.day} in {self.channel}"


class GrainedTally(models.Model):
    """Sums per UTC day (``grain`` D) and per UTC month (``grain`` M, ``day``
    its first day), kept by triggers on ``journey_stage_transition``
    (``tallies/transitions.py``) and read with ``spans.py``."""

    channel = models.CharField(max_length=255)
    grain = models.CharField(max_length=1)
    day = models.DateField()

    class Meta:
        abstract = True


class RollupLeftDuration(GrainedTally):
    """Transitions out of ``stage`` then, by duration bucket of the time spent
    in it (``durations.py``): time in stage."""

    stage = models.CharField(max_length=32)
    bucket = models.SmallIntegerField()
    transitions = models.IntegerField()

    class Meta:
        db_table = "journey_rollup_left_duration"
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "grain", "day", "stage", "bucket"],
                name="journey_rollup_one_left_duration",
            )
        ]

    def __str__(self) -> str:
        return f"{self.transitions} out of {self.stage} on {self.day} in {self.channel}"


class RollupStepDuration(GrainedTally):
    """Transitions of the journeys whose funnel cohort began then, by their
    stages and duration bucket of the time in the stage left: funnel steps."""

    from_stage = models.CharField(max_length=32)
    to_stage = models.CharField(max_length=32)
    bucket = models.SmallIntegerField()
    transitions = models.IntegerField()

    class Meta:
        db_table = "journey_rollup_step_duration"
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "grain", "day", "to_stage", "from_stage", "bucket"],
                name="journey_rollup_one_step_duration",
            )
        ]

    def __str__(self) -> str:
        return f"{self.transitions} into {self.to_stage} on {self.day} ({self.channel})"


class RollupReachedDay(GrainedTally):
    """Journeys whose funnel cohort began then, by the furthest funnel rank
    they have reached now (0: none)."""

    reached = models.SmallIntegerField()
    journeys = models.IntegerField()

    class Meta:
        db_table = "journey_rollup_reached_day"
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "grain", "day", "reached"],
                name="journey_rollup_one_reached_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.journeys} reached {self.reached} of {self.day} in {self.channel}"


class RollupLapseDay(GrainedTally):
    """Lapses and win-backs then."""

    lapses = models.IntegerField()
    win_backs = models.IntegerField()

    class Meta:
        db_table = "journey_rollup_lapse_day"
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "grain", "day"],
                name="journey_rollup_one_lapse_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.lapses} lapses on {self.day} in {self.channel}"


class RollupOrderDay(GrainedTally):
    """Orders placed then, in ``currency``: all, of customers, customers'
    first; sales and orders not cancelled (now); and ``came_back``, the
    customers' later orders whose previous order was placed then."""

    currency = models.CharField(max_length=16)
    orders = models.IntegerField()
    customer_orders = models.IntegerField()
    first_orders = models.IntegerField()
    sales = models.DecimalField(max_digits=30, decimal_places=6)
    sale_orders = models.IntegerField()
    came_back = models.IntegerField()

    class Meta:
        db_table = "journey_rollup_order_day"
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "grain", "day", "currency"],
                name="journey_rollup_one_order_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.orders} orders on {self.day} in {self.channel}"


class RollupCheckoutDay(GrainedTally):
    """Checkouts started then (``converted``: of them, tokens ordered since),
    and ``came_back``: later starts of a token last started then."""

    started = models.IntegerField()
    converted = models.IntegerField()
    came_back = models.IntegerField()
    came_back_converted = models.IntegerField()

    class Meta:
        db_table = "journey_rollup_checkout_day"
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "grain", "day"],
                name="journey_rollup_one_checkout_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.started} checkouts on {self.day} in {self.channel}"


# Every rollup table, children of nothing: emptied or truncated as one set.
ROLLUP_MODELS: tuple[type[models.Model], ...] = (
    RollupChannel,
    RollupOrder,
    RollupOrderEvent,
    RollupCheckout,
    RollupReview,
    RollupActiveDay,
    RollupTouch,
    RollupSource,
    RollupStageDay,
    RollupOrderTotal,
    RollupActiveTotal,
    RollupLeftDuration,
    RollupStepDuration,
    RollupReachedDay,
    RollupLapseDay,
    RollupOrderDay,
    RollupCheckoutDay,
)
