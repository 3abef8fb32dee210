"""The app's Celery: the core's tasks, run per tenant (``tenants/tasks.py``)."""

import os
from typing import Any

from celery import Celery
from celery.signals import beat_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saleor_journey_app.settings")

app = Celery("saleor_journey_app")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["saleor_journey_plugin", "saleor_journey_app.tenants"])
app.autodiscover_tasks(["saleor_journey_app.saleor_api"], related_name="tasks")


@beat_init.connect
def _per_tenant_beat(sender: Any, **kwargs: Any) -> None:
    # The core's tasks add their own schedule when imported, running each
    # task once with no tenant; beat runs each through for_each_tenant instead,
    # under the same entry names.
    from saleor_journey_plugin.tasks import BEAT_SCHEDULE

    from .tenants.tasks import periodic_entries

    sender.scheduler.update_from_dict(periodic_entries(BEAT_SCHEDULE))
