"""The app's own settings, typed (``settings.py`` documents each)."""

from django.conf import settings


def app_url() -> str:
    return str(getattr(settings, "APP_URL", "http://127.0.0.1:8100")).rstrip("/")


def allowed_saleor_urls() -> list[str]:
    return list(getattr(settings, "APP_ALLOWED_SALEOR_URLS", []))


def max_webhook_bytes() -> int:
    return int(getattr(settings, "APP_MAX_WEBHOOK_BYTES", 256 * 1024))


def jwks_ttl_seconds() -> int:
    return int(getattr(settings, "APP_JWKS_TTL_SECONDS", 3600))


def saleor_timeout_seconds() -> float:
    return float(getattr(settings, "APP_SALEOR_TIMEOUT_SECONDS", 10))


def saleor_backoff_seconds() -> float:
    """The first wait before Saleor is asked again; each next one doubles."""
    return float(getattr(settings, "APP_SALEOR_BACKOFF_SECONDS", 0.5))


def dashboard_origins() -> str:
    """CSP ``frame-ancestors``: who may frame the Dashboard pages."""
    return str(getattr(settings, "APP_DASHBOARD_ORIGINS", "*")) or "*"


def webhook_health_seconds() -> float:
    """A process notes a tenant's last delivery at most this often."""
    return float(getattr(settings, "APP_WEBHOOK_HEALTH_SECONDS", 60))
