"""Test settings: the example store's host on a real PostgreSQL."""

import os

from example_store.settings import *  # noqa: F403
from example_store.settings import database_from_url

DATABASES = {
    "default": database_from_url(
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/journey")
    )
}
CELERY_BROKER_URL = os.environ.get(
    "TEST_CELERY_BROKER_URL", "redis://127.0.0.1:6379/15"
)
CELERY_TASK_ALWAYS_EAGER = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
