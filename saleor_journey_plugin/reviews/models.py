"""The reviews the webhook received, and the deliveries it has seen."""

from django.db import models
from django.db.models import Q


class Review(models.Model):
    """A review as its service last sent it, one row per (channel, review_id).

    ``customer`` is the journey customer the review's event was applied to
    (set by the drain, so it follows merges); NULL until then, and after an
    erasure, which also blanks ``email``, ``title`` and ``body``.
    """

    channel = models.CharField(max_length=255)
    review_id = models.CharField(max_length=255)
    customer = models.ForeignKey(
        "saleor_journey_plugin.Customer",
        related_name="reviews",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    email = models.CharField(max_length=254, blank=True, default="")
    rating = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=255, blank=True, default="")
    body = models.TextField(blank=True, default="")
    # As the service named them: a product or variant ID or SKU, an order ID or
    # number.
    product = models.CharField(max_length=255, blank=True, default="")
    order = models.CharField(max_length=255, blank=True, default="")
    photos = models.PositiveIntegerField(default=0)
    verified = models.BooleanField(default=False)
    # The service's time of the version kept (the receipt time if it sent none).
    created_at = models.DateTimeField()
    received_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    # 1 for the first version; each accepted edit adds one.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        db_table = "journey_review"
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "review_id"], name="journey_review_one_per_id"
            ),
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5),
                name="journey_review_rating_1_to_5",
            ),
        ]
        indexes = [
            # Staff listings: newest first, filtered by rating or verified.
            models.Index(
                fields=["channel", "received_at"], name="journey_review_received"
            ),
            models.Index(
                fields=["channel", "rating", "received_at"],
                name="journey_review_rating",
            ),
            models.Index(
                fields=["channel", "verified", "received_at"],
                name="journey_review_verified",
            ),
            # Erasure finds reviews not yet linked to a customer by their email.
            models.Index(fields=["email"], name="journey_review_email"),
        ]

    def __str__(self) -> str:
        return f"{self.channel}/{self.review_id}: {self.rating}"


class ReviewDelivery(models.Model):
    """A ``webhook-id`` accepted in a channel: its redeliveries change nothing."""

    channel = models.CharField(max_length=255)
    webhook_id = models.CharField(max_length=255)
    received_at = models.DateTimeField()

    class Meta:
        db_table = "journey_review_delivery"
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "webhook_id"], name="journey_review_delivery_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel}/{self.webhook_id}"
