"""The app's Celery: the core's tasks, run per tenant (``tenants/tasks.py``)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saleor_journey_app.settings")

app = Celery("saleor_journey_app")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["saleor_journey_plugin", "saleor_journey_app.tenants"])
app.autodiscover_tasks(["saleor_journey_app.saleor_api"], related_name="tasks")


@app.on_after_finalize.connect
def _per_tenant_beat(sender: Celery, **kwargs: object) -> None:
    # Importing the core's tasks adds their schedule as they run them; the app
    # runs each through for_each_tenant instead.
    from saleor_journey_plugin.tasks import BEAT_SCHEDULE

    from .tenants.tasks import periodic_entries

    sender.conf.beat_schedule = periodic_entries(BEAT_SCHEDULE)
