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
        # Campaigns schedule their steps from applied events, and keep
        # personal data that erasure and guest merges must reach.
        from .campaigns import privacy
        from .campaigns.scheduling import SCHEDULER
        from .core import erasure, identity

        followers.follow(SCHEDULER)
        erasure.on_erase(privacy.erase)
        identity.on_merge(privacy.merge)
        # Inside Saleor the plugin needs no settings of its own: Saleor is the host.
        if not getattr(settings, "JOURNEY_HOST", "") and apps.is_installed(
            "saleor.account"
        ):
            settings.JOURNEY_HOST = SALEOR_HOST
        if getattr(settings, "JOURNEY_HOST", "") == SALEOR_HOST:
            from .saleor_adapter import signals

            signals.connect()
