from django.apps import AppConfig, apps
from django.conf import settings

SALEOR_HOST = "saleor_journey_plugin.saleor_adapter.host.SaleorHost"


class JourneyConfig(AppConfig):
    name = "saleor_journey_plugin"
    label = "saleor_journey_plugin"
    verbose_name = "Customer journey"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .core import followers
        from .reports.rollups import ROLLUPS

        # The reports' rollups follow every event the drain applies.
        followers.follow(ROLLUPS)
        self._receive_reviews()
        # Loyalty points follow paid orders, refunds and reviews the same way.
        from .loyalty.journey import connect as connect_loyalty

        connect_loyalty()
        # Inside Saleor the plugin needs no settings of its own: Saleor is the host.
        if not getattr(settings, "JOURNEY_HOST", "") and apps.is_installed(
            "saleor.account"
        ):
            settings.JOURNEY_HOST = SALEOR_HOST
        if getattr(settings, "JOURNEY_HOST", "") == SALEOR_HOST:
            from .saleor_adapter import signals

            signals.connect()

    def _receive_reviews(self) -> None:
        from .core import erasure, followers
        from .reviews.linking import REVIEW_CUSTOMERS
        from .reviews.privacy import forget_reviews

        # Reviews follow their customer through merges, and forget an erased one.
        followers.follow(REVIEW_CUSTOMERS)
        erasure.on_erase(forget_reviews)
