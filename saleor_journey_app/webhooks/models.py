"""How each tenant's webhooks are doing, for the configuration page
(``health.py`` writes and reads these; the shared schema holds them)."""

from django.db import models

from ..tenants.models import Tenant


class WebhookHealth(models.Model):
    tenant = models.OneToOneField(
        Tenant, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    # Noted at most once a minute per process (``health.py``): it may lag.
    last_delivery_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    # Why it was refused, in our words: never the body or a header.
    last_failure = models.CharField(max_length=200, blank=True, default="")

    # Spelled out: mypy's Django plugin reads the example store's settings,
    # where the app's models are not installed.
    objects: "models.Manager[WebhookHealth]" = models.Manager()

    def __str__(self) -> str:
        return f"webhooks of tenant {self.pk}"


class WebhookFailureHour(models.Model):
    """Deliveries refused in one hour (a forged one counts too: it names the
    tenant's URL). One row per tenant and hour; rows older than two days go."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    hour = models.DateTimeField()
    failures = models.PositiveIntegerField(default=0)

    tenant_id: int
    objects: "models.Manager[WebhookFailureHour]" = models.Manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "hour"], name="journey_app_webhook_failure_hour"
            )
        ]

    def __str__(self) -> str:
        return f"{self.failures} refused for tenant {self.tenant_id} at {self.hour}"
