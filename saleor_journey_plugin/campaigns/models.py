"""The campaign engine's tables: one row per email it may send, unsubscribes, clicks."""

from django.db import models
from django.db.models import Q


class MessageStatus(models.TextChoices):
    SCHEDULED = "scheduled"
    # Claimed by a sweep and committed before the email leaves: a row left
    # here by a worker that died is never sent again (at most once).
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"


class CampaignMessage(models.Model):
    """One step of one campaign for one subject (a checkout, a lapse, an order)."""

    channel = models.CharField(max_length=255)
    kind = models.CharField(max_length=32)
    subject = models.CharField(max_length=255)
    step = models.PositiveSmallIntegerField()
    status = models.CharField(
        max_length=16, choices=MessageStatus.choices, default=MessageStatus.SCHEDULED
    )
    # When the trigger happened (a checkout's last change, the lapse, the
    # fulfilment): the step's delay counts from it.
    triggered_at = models.DateTimeField()
    due_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    customer = models.ForeignKey(
        "saleor_journey_plugin.Customer",
        related_name="campaign_messages",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    email = models.CharField(max_length=254, blank=True, default="")
    coupon_code = models.CharField(max_length=64, blank=True, default="")
    coupon_expires_at = models.DateTimeField(null=True, blank=True)
    # Set when the send is claimed, before the email leaves.
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "journey_campaign_message"
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "kind", "subject", "step"],
                name="journey_campaign_one_send_per_step",
            )
        ]
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=Q(status="scheduled"),
                name="journey_campaign_due",
            ),
            # The frequency cap: a customer's latest sends.
            models.Index(
                fields=["customer", "sent_at"], name="journey_campaign_customer"
            ),
            models.Index(
                fields=["sent_at"],
                condition=Q(status="sending"),
                name="journey_campaign_sending",
            ),
            # The campaigns report: a channel's sends in a period.
            models.Index(fields=["channel", "sent_at"], name="journey_campaign_sent"),
            # Attribution: the send whose coupon an order used.
            models.Index(
                fields=["coupon_code"],
                condition=~Q(coupon_code=""),
                name="journey_campaign_coupon",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject} step {self.step}: {self.status}"


class CampaignUnsubscribe(models.Model):
    channel = models.CharField(max_length=255)
    customer = models.ForeignKey(
        "saleor_journey_plugin.Customer",
        related_name="campaign_unsubscribes",
        on_delete=models.CASCADE,
    )
    at = models.DateTimeField()

    class Meta:
        db_table = "journey_campaign_unsubscribe"
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "customer"], name="journey_campaign_one_unsubscribe"
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} left {self.channel}"


class CampaignClick(models.Model):
    message = models.ForeignKey(
        CampaignMessage, related_name="clicks", on_delete=models.CASCADE
    )
    at = models.DateTimeField()

    class Meta:
        db_table = "journey_campaign_click"
        indexes = [models.Index(fields=["at"], name="journey_campaign_click_at")]

    def __str__(self) -> str:
        return f"click on {self.message_id}"


class CampaignAttribution(models.Model):
    """An order a campaign email recovered: at most one row per order.

    ``message`` is the email credited (the latest before the order);
    ``coupon_message`` the one whose coupon code the order used, if any (the
    redemption), whose discount is the campaign's cost on this order.
    """

    channel = models.CharField(max_length=255)
    order_id = models.CharField(max_length=255)
    message = models.ForeignKey(
        CampaignMessage, related_name="attributions", on_delete=models.CASCADE
    )
    coupon_message = models.ForeignKey(
        CampaignMessage,
        related_name="redemptions",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    # The reminded checkout an abandoned-checkout email recovered; empty for
    # the other kinds.
    checkout = models.CharField(max_length=255, blank=True, default="")
    placed_at = models.DateTimeField()
    currency = models.CharField(max_length=16, blank=True, default="")
    # The order's gross total and the campaign coupon's discount on it, in the
    # currency's decimal places.
    revenue = models.DecimalField(max_digits=30, decimal_places=6)
    discount_cost = models.DecimalField(max_digits=30, decimal_places=6)
    coupon_code = models.CharField(max_length=64, blank=True, default="")
    # The order's first cancellation or full refund: from then on it recovered
    # no revenue and cost no discount.
    voided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "journey_campaign_attribution"
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "order_id"], name="journey_campaign_order_once"
            )
        ]
        indexes = [
            models.Index(
                fields=["channel", "placed_at"], name="journey_campaign_recovered"
            )
        ]

    def __str__(self) -> str:
        return f"order {self.order_id} recovered by {self.message_id}"
