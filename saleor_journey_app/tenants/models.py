from urllib.parse import urlsplit, urlunsplit

from django.db import models


def normalize_api_url(value: str) -> str:
    """The Saleor API URL as a tenant is keyed: scheme and host lowercased,
    the rest as Saleor sent it; "" for anything that is not an http(s) URL."""
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return ""
    if parts.username or parts.password or parts.query or parts.fragment:
        return ""
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", "", "")
    )


class TenantQuerySet(models.QuerySet["Tenant"]):
    def installed(self) -> "TenantQuerySet":
        """Tenants whose Saleor holds the app now (they have a token)."""
        return self.exclude(app_token="")


class Tenant(models.Model):
    """One Saleor instance that installed the app, keyed by its API URL.

    Its journey data lives in the PostgreSQL schema ``schema``; this row, in the
    shared schema, holds what the app needs to talk to that Saleor.
    """

    saleor_api_url = models.CharField(max_length=500, unique=True)
    # Never logged or shown: __repr__ and __str__ leave it out. Empty once
    # Saleor said the app was deleted.
    app_token = models.TextField(blank=True, default="")
    saleor_app_id = models.CharField(max_length=200, blank=True, default="")
    # Saleor refused the token (401): the app must be installed again.
    needs_reinstall = models.BooleanField(default=False)
    # Per channel slug, the plugin's configuration fields by name (as text).
    channels = models.JSONField(default=dict, blank=True)
    registered_at = models.DateTimeField()
    uninstalled_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        app_label = "journey_app"

    def __str__(self) -> str:
        return self.saleor_api_url

    def __repr__(self) -> str:
        return f"<Tenant {self.pk} {self.saleor_api_url}>"

    @property
    def schema(self) -> str:
        return f"tenant_{self.pk}"
