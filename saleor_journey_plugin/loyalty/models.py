"""The points ledger: append-only entries, one balance row per customer and channel."""

from django.db import models
from django.db.models import Q


class EntryKind(models.TextChoices):
    EARN_ORDER = "earn_order"
    REVERSE_REFUND = "reverse_refund"
    EARN_REVIEW = "earn_review"
    REDEEM = "redeem"
    EXPIRE = "expire"
    ADJUST = "adjust"
    # A redemption's unused code taken back by a refund: its points return.
    WITHDRAW = "withdraw"


class LedgerEntry(models.Model):
    """One movement of points; never updated except ``remaining`` and erasure.

    An entry that adds points (an earning, a positive adjustment) keeps in
    ``remaining`` how many of them are still unspent: debits consume the
    oldest first, and expiry takes what an old earning has left.
    """

    channel = models.CharField(max_length=255)
    # NULL once the person is erased: the amounts stay for the store's totals.
    customer = models.ForeignKey(
        "saleor_journey_plugin.Customer",
        related_name="ledger_entries",
        null=True,
        on_delete=models.SET_NULL,
        db_index=False,  # the (channel, customer, occurred_at) index serves it
    )
    kind = models.CharField(max_length=16, choices=EntryKind.choices)
    points = models.IntegerField()
    # Names the entry's source (``earn_order:<channel>:<order>``): a second
    # delivery of the same fact inserts nothing.
    idempotency_key = models.CharField(max_length=255, unique=True)
    occurred_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    remaining = models.IntegerField(default=0)
    # The money the entry is about: an order's net total, a refunded amount
    # (refunded so far), a voucher's value.
    amount = models.DecimalField(max_digits=20, decimal_places=4, null=True)
    # A refund's order total, of which ``amount`` is the refunded share: a
    # refund recorded before its order earned is taken back when it does.
    order_total = models.DecimalField(max_digits=20, decimal_places=4, null=True)
    order_id = models.CharField(max_length=64, blank=True, default="")
    review_id = models.CharField(max_length=255, blank=True, default="")
    product = models.CharField(max_length=255, blank=True, default="")
    reason = models.TextField(blank=True, default="")
    # Who made a staff adjustment: the store user's id and email as they were
    # then (empty for an app, which has neither).
    staff_user_id = models.CharField(max_length=64, blank=True, default="")
    staff_email = models.CharField(max_length=254, blank=True, default="")
    # A refund reversal asks for this many points more than the balance held.
    shortfall = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "journey_loyalty_entry"
        constraints = [
            models.CheckConstraint(
                condition=Q(remaining__gte=0) & Q(remaining__lte=models.F("points"))
                | Q(remaining=0),
                name="journey_loyalty_remaining_within_points",
            ),
        ]
        indexes = [
            models.Index(
                "channel",
                "customer",
                models.F("occurred_at").desc(),
                name="journey_loyalty_history",
            ),
            models.Index(
                fields=["expires_at"],
                condition=Q(remaining__gt=0),
                name="journey_loyalty_expiring",
            ),
            # The loyalty report's sums over a channel's entries by time.
            models.Index(
                fields=["channel", "occurred_at"],
                include=["kind", "points", "customer"],
                name="journey_loyalty_channel_time",
            ),
            models.Index(
                fields=["channel", "order_id"],
                condition=~Q(order_id=""),
                name="journey_loyalty_order",
            ),
            # An erased staff member's name leaves the adjustments they made;
            # these are few, and so are the indexes.
            models.Index(
                fields=["staff_user_id"],
                condition=Q(kind="adjust") & ~Q(staff_user_id=""),
                name="journey_loyalty_adjusted_by",
            ),
            models.Index(
                fields=["staff_email"],
                condition=Q(kind="adjust") & ~Q(staff_email=""),
                name="journey_loyalty_adjusted_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.points:+d} ({self.idempotency_key})"


class LoyaltyAccount(models.Model):
    """A customer's balance in a channel, kept with every entry, and the lock
    redemptions take."""

    channel = models.CharField(max_length=255)
    customer = models.ForeignKey(
        "saleor_journey_plugin.Customer",
        related_name="loyalty_accounts",
        on_delete=models.CASCADE,
    )
    balance = models.IntegerField(default=0)
    tier = models.CharField(max_length=32, blank=True, default="")

    class Meta:
        db_table = "journey_loyalty_account"
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "channel"], name="journey_loyalty_one_account"
            ),
            models.CheckConstraint(
                condition=Q(balance__gte=0), name="journey_loyalty_balance_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} in {self.channel}: {self.balance}"
