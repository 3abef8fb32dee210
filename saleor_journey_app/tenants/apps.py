from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "saleor_journey_app.tenants"
    label = "journey_app"
    verbose_name = "Journey app tenants"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import schemas

        schemas.connect()
        # The app's Celery is the current one in every process of the app (the
        # web server publishes the core's tasks through it), and its signals
        # carry the tenant from publisher to worker.
        from .. import celery  # noqa: F401
        from . import tasks  # noqa: F401
