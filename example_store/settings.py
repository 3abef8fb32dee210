"""The example store: the journey core on embedded defaults, no Saleor.

SQLite and eager Celery unless DATABASE_URL / CELERY_BROKER_URL are set.
"""

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

BASE_DIR = Path(__file__).resolve().parent
SECRET_KEY = os.environ.get("SECRET_KEY", "example-store-not-secret")
DEBUG = os.environ.get("DEBUG", "1") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
USE_TZ = True
TIME_ZONE = "UTC"
ROOT_URLCONF = "example_store.urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "saleor_journey_plugin",
    "example_store",
]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]


def database_from_url(url: str) -> dict:
    """The DATABASES entry for a postgres:// URL."""
    parts = urlparse(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ValueError(
            f"DATABASE_URL must be a postgres:// URL, got {parts.scheme}://"
        )
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
    }


DATABASES = {
    "default": (
        database_from_url(os.environ["DATABASE_URL"])
        if os.environ.get("DATABASE_URL")
        else {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("EXAMPLE_STORE_DB", str(BASE_DIR / "db.sqlite3")),
        }
    )
}

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

JOURNEY_HOST = "example_store.host.ExampleStoreHost"
# Per-channel settings, as a Saleor store sets them in the dashboard.
JOURNEY_CHANNELS = {
    "web-usd": {"preset": "standard", "language": "en", "lapse_after_days": 90},
    "web-krw": {"preset": "five_stage", "language": "ko", "lapse_after_days": 60},
}
ALLOWED_GRAPHQL_ORIGINS = "*"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # As in Saleor: graphql-core logs every error it returns, expected ones too.
    "loggers": {
        "graphql.execution.utils": {"handlers": [], "propagate": False},
        "graphql.execution.executor": {"handlers": [], "propagate": False},
    },
}
