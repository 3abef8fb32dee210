import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example_store.settings")

app = Celery("example_store")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["saleor_journey_plugin"])
