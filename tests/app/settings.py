"""The app's settings for its tests: a real PostgreSQL and Redis."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-" + "k" * 50)
os.environ.setdefault("APP_URL", "http://app.test")

from saleor_journey_app.settings import *  # noqa: F403
from saleor_journey_app.settings import database_from_url

DATABASES = {
    "default": database_from_url(
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/journey_app")
    )
}
CELERY_BROKER_URL = os.environ.get(
    "TEST_CELERY_BROKER_URL", "redis://127.0.0.1:6379/14"
)
CELERY_TASK_ALWAYS_EAGER = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost", "app.test"]
APP_SALEOR_TIMEOUT_SECONDS = 5
# The client's retries are counted, not waited for.
APP_SALEOR_BACKOFF_SECONDS = 0.01
