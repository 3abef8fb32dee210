"""Registering a Saleor's app token: allowed, confirmed, stored, never logged."""

from django.db import transaction
from django.utils import timezone

from .. import conf
from ..saleor_api import client
from ..tenants.models import Tenant, normalize_api_url
from ..tenants.schemas import create_schema
from .manifest import APP_ID


class NotAllowed(Exception):
    """This deployment does not serve that Saleor."""


class NotConfirmed(Exception):
    """Saleor did not confirm the token."""


def allowed(api_url: str) -> bool:
    listed = {normalize_api_url(url) for url in conf.allowed_saleor_urls()}
    return not listed or api_url in listed


def register(raw_api_url: str, token: str) -> Tenant:
    api_url = normalize_api_url(raw_api_url)
    if not api_url or not allowed(api_url):
        raise NotAllowed(raw_api_url)
    try:
        app_id, identifier = client.whose_token(api_url, token)
    except client.SaleorError as error:
        raise NotConfirmed(str(error)) from error
    if not app_id:
        raise NotConfirmed("Saleor does not know this token")
    if identifier != APP_ID:
        # Another app's token of that Saleor would confirm too, and would
        # make this app act with that app's permissions.
        raise NotConfirmed(f"the token is app {identifier!r}'s, not {APP_ID!r}'s")
    with transaction.atomic():
        tenant, _ = Tenant.objects.select_for_update().get_or_create(
            saleor_api_url=api_url, defaults={"registered_at": timezone.now()}
        )
        tenant.app_token = token
        tenant.saleor_app_id = app_id
        tenant.needs_reinstall = False
        tenant.uninstalled_at = None
        tenant.registered_at = timezone.now()
        tenant.save()
    create_schema(tenant)
    return tenant


def uninstall(tenant: Tenant) -> None:
    """Saleor deleted the app: forget its token; the journey data stays until
    a staff member erases it."""
    Tenant.objects.filter(pk=tenant.pk).update(
        app_token="", uninstalled_at=timezone.now()
    )
