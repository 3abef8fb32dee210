from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "saleor_journey_app.tenants"
    label = "journey_app"
    verbose_name = "Journey app tenants"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import schemas

        schemas.connect()
