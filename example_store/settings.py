"""The example store: the journey core on embedded defaults, no Saleor.

SQLite and eager Celery unless DATABASE_URL / CELERY_BROKER_URL are set.
DEBUG is off unless DEBUG=1. SECRET_KEY comes from the environment or, failing
that, from a file made with a random key on first run (EXAMPLE_STORE_SECRET_FILE,
by default ``example_store/.secret_key``, readable by its owner only, never in
git).
"""

import contextlib
import os
import secrets
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
MIN_SECRET_LENGTH = 50


def secret_from_file(path: Path) -> str:
    """The key kept in ``path``; a new random one if the file does not exist."""
    if not path.exists():
        _write_new_secret(path)
    key = path.read_text(encoding="ascii").strip()
    if len(key) < MIN_SECRET_LENGTH:
        raise ImproperlyConfigured(
            f"{path} holds no usable secret key (under {MIN_SECRET_LENGTH} "
            "characters): delete it to have a new one made, or set SECRET_KEY."
        )
    return key


def _write_new_secret(path: Path) -> None:
    # mkstemp makes the file 0600; linking it into place is atomic and fails if
    # another process got there first, whose key then stands for both.
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f"{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="ascii") as file:
            file.write(secrets.token_urlsafe(48) + "\n")
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        os.unlink(temporary)


SECRET_KEY = os.environ.get("SECRET_KEY") or secret_from_file(
    Path(os.environ.get("EXAMPLE_STORE_SECRET_FILE") or BASE_DIR / ".secret_key")
)
DEBUG = os.environ.get("DEBUG", "") == "1"
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
    """The DATABASES entry for a postgres:// URL (dj-database-url, as Saleor
    reads its own)."""
    found = dj_database_url.parse(url)
    if found["ENGINE"] != "django.db.backends.postgresql":
        raise ValueError(
            f"DATABASE_URL must be a postgres:// URL, got {url.split(':')[0]}://"
        )
    return dict(found)


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
# The report rollups' covering indexes (INCLUDE) are PostgreSQL's; SQLite
# builds them without those columns, and the demo reads the event log anyway.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    SILENCED_SYSTEM_CHECKS = ["models.W040"]

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

JOURNEY_HOST = "example_store.host.ExampleStoreHost"
# Per-channel settings, as a Saleor store sets them in the dashboard.
JOURNEY_CHANNELS = {
    "web-usd": {
        "preset": "standard",
        "language": "en",
        "lapse_after_days": 90,
        "currency": "USD",
    },
    # A store abroad: its funnel keeps to customers who shopped in it.
    "web-krw": {
        "preset": "five_stage",
        "language": "ko",
        "lapse_after_days": 60,
        "count_new_accounts": False,
        "time_zone": "Asia/Seoul",
        "currency": "KRW",
    },
}
ALLOWED_GRAPHQL_ORIGINS = "*"
# Seconds an API token from `journey_token` lives: its default and its maximum.
EXAMPLE_STORE_TOKEN_MAX_AGE = int(
    os.environ.get("EXAMPLE_STORE_TOKEN_MAX_AGE", str(4 * 60 * 60))
)

LOG_LEVEL = os.environ.get("LOG_LEVEL", "WARNING")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "null": {"class": "logging.NullHandler"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's own default handlers would print its errors a second time.
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # As in Saleor: graphql-core logs every error it returns, expected ones
        # too, with a traceback each. A logger with no handler at all would fall
        # through to Python's last-resort handler; these go nowhere. Resolvers'
        # unexpected errors are logged by saleor_journey_plugin (via root).
        "graphql.execution.utils": {
            "handlers": ["null"],
            "level": "CRITICAL",
            "propagate": False,
        },
        "graphql.execution.executor": {
            "handlers": ["null"],
            "level": "CRITICAL",
            "propagate": False,
        },
    },
}
