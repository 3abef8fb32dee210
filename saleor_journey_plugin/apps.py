from importlib import import_module

from django.apps import AppConfig, apps
from django.conf import settings

SALEOR_HOST = "saleor_journey_plugin.saleor_adapter.host.SaleorHost"
CAPABILITIES_WITH_TABLES = (
    "campaigns",
    "double_opt_in",
    "loyalty",
    "reports.rollups",
    "reviews",
)


class JourneyConfig(AppConfig):
    name = "saleor_journey_plugin"
    label = "saleor_journey_plugin"
    verbose_name = "Customer journey"
    default_auto_field = "django.db.models.BigAutoField"

    def import_models(self) -> None:
        super().import_models()
        # Django looks for an app's tables in its models module only; each
        # capability keeps its own beside its code, and they are loaded here,
        # while Django loads models, so that no models module imports another.
        for package in CAPABILITIES_WITH_TABLES:
            import_module(f"{self.name}.{package}.models")

    def ready(self) -> None:
        from .core import followers
        from .reports.rollups import ROLLUPS

        # The reports' rollups follow every event the drain applies.
        followers.follow(ROLLUPS)
        # Reviews, loyalty, campaigns and the opt-in emails follow the same
        # events (and the customers that merges and erasures rewrite); each
        # registers itself.
        from .campaigns.scheduling import connect as connect_campaigns
        from .double_opt_in.mailing import connect as connect_opt_in
        from .loyalty.from_events import connect as connect_loyalty
        from .reviews.linking import connect as connect_reviews

        for connect in (
            connect_reviews,
            connect_loyalty,
            connect_campaigns,
            connect_opt_in,
        ):
            connect()
        # Inside Saleor the plugin needs no settings of its own: Saleor is the host.
        if not getattr(settings, "JOURNEY_HOST", "") and apps.is_installed(
            "saleor.account"
        ):
            settings.JOURNEY_HOST = SALEOR_HOST
        if getattr(settings, "JOURNEY_HOST", "") == SALEOR_HOST:
            from .saleor_adapter import signals

            signals.connect()
