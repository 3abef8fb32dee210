from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "saleor_journey_app.webhooks"
    # Its tables (the webhooks' health) live once, in the shared schema.
    label = "journey_app_webhooks"
    verbose_name = "Journey app webhooks"
    default_auto_field = "django.db.models.BigAutoField"
