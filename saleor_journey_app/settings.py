"""The app's settings: embedded defaults, each overridable from the environment.

DATABASE_URL   its own PostgreSQL (default postgres://postgres@127.0.0.1:5432/journey_app)
CELERY_BROKER_URL   Redis for the worker and beat (default redis://127.0.0.1:6379/0)
APP_URL        where Saleor reaches the app (default http://127.0.0.1:$APP_PORT)
APP_ALLOWED_SALEOR_URLS   comma-separated Saleor API URLs that may install it
               (empty: any)
SECRET_KEY     required unless DEBUG=1
APP_DASHBOARD_ORIGINS   space-separated origins of the Saleor Dashboards that
               may frame the app's pages (CSP frame-ancestors; default *)
ALLOWED_GRAPHQL_ORIGINS   comma-separated origins that may call the journey
               API from a browser, as Saleor's own setting (default *)
EMAIL_URL      where campaign emails go, read as Saleor reads its own
               (smtp://user:password@host:587/?tls=True; default console://,
               which prints them)
DEFAULT_FROM_EMAIL   the sender when a channel names none
"""

import os
from urllib.parse import urlparse

import dj_database_url
import dj_email_url
from django.core.exceptions import ImproperlyConfigured

DEBUG = os.environ.get("DEBUG", "") == "1"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for a local run).")
    SECRET_KEY = "saleor-journey-app-local-development-only-" + "x" * 20

APP_PORT = int(os.environ.get("APP_PORT", "8100"))
APP_URL = os.environ.get("APP_URL", f"http://127.0.0.1:{APP_PORT}").rstrip("/")
APP_ALLOWED_SALEOR_URLS = [
    url.strip()
    for url in os.environ.get("APP_ALLOWED_SALEOR_URLS", "").split(",")
    if url.strip()
]
# A webhook body larger than this is refused unread (Saleor's payloads for the
# subscriptions in the manifest are a few kilobytes).
APP_MAX_WEBHOOK_BYTES = int(os.environ.get("APP_MAX_WEBHOOK_BYTES", str(256 * 1024)))
# Seconds a tenant's JWKS is trusted before it is fetched again.
APP_JWKS_TTL_SECONDS = int(os.environ.get("APP_JWKS_TTL_SECONDS", "3600"))
APP_DASHBOARD_ORIGINS = os.environ.get("APP_DASHBOARD_ORIGINS", "*")
# Read as Saleor reads its own, so a store can give both APIs the same list.
ALLOWED_GRAPHQL_ORIGINS = [
    origin.strip()
    for origin in os.environ.get("ALLOWED_GRAPHQL_ORIGINS", "*").split(",")
    if origin.strip()
]
APP_SALEOR_TIMEOUT_SECONDS = float(os.environ.get("APP_SALEOR_TIMEOUT_SECONDS", "10"))
APP_SALEOR_BACKOFF_SECONDS = 0.5
# A web process notes a tenant's last webhook delivery at most this often.
APP_WEBHOOK_HEALTH_SECONDS = float(os.environ.get("APP_WEBHOOK_HEALTH_SECONDS", "60"))

ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get(
        "ALLOWED_HOSTS", f"127.0.0.1,localhost,testserver,{urlparse(APP_URL).hostname}"
    ).split(",")
    if host.strip()
]
USE_TZ = True
TIME_ZONE = "UTC"
ROOT_URLCONF = "saleor_journey_app.urls"
WSGI_APPLICATION = "saleor_journey_app.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "saleor_journey_plugin",
    "saleor_journey_app.tenants",
    "saleor_journey_app.webhooks",
]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
# The core's tables live in one PostgreSQL schema per tenant; the router keeps
# them out of the shared schema (see tenants/schemas.py).
DATABASE_ROUTERS = ["saleor_journey_app.tenants.routers.TenantRouter"]


def database_from_url(url: str) -> dict:
    """The DATABASES entry for a postgres:// URL (dj-database-url, as Saleor
    reads its own)."""
    found = dj_database_url.parse(url)
    if found["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            f"DATABASE_URL must be a postgres:// URL, got {url.split(':')[0]}://"
        )
    return dict(found)


DATABASES = {
    "default": database_from_url(
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/journey_app")
    )
}

_email = dj_email_url.parse(os.environ.get("EMAIL_URL") or "console://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email["EMAIL_HOST"]
EMAIL_PORT = _email["EMAIL_PORT"]
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"]
EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
EMAIL_TIMEOUT = _email["EMAIL_TIMEOUT"] or 30
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", EMAIL_HOST_USER or "noreply@example.com"
)

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

JOURNEY_HOST = "saleor_journey_app.host.AppHost"

LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
    },
}
