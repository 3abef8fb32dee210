"""Routes of the public endpoints, each run as the tenant its path names."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.urls import URLPattern, path
from django.views.decorators.csrf import csrf_exempt

from saleor_journey_plugin.links import EMAIL_LINKS
from saleor_journey_plugin.reviews.views import review_webhook

from ..tenants.models import Tenant
from ..tenants.schemas import activated

PREFIX = "t/<int:tenant>/"


def as_tenant(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Run ``view`` in the tenant the path names. An uninstalled tenant's
    links keep working: its customers may still unsubscribe."""

    @wraps(view)
    def in_tenant(request: HttpRequest, tenant: int, **kwargs: Any) -> HttpResponse:
        found = Tenant.objects.filter(pk=tenant).first()
        if found is None:
            return HttpResponseNotFound()
        with activated(found):
            return view(request, **kwargs)

    return csrf_exempt(in_tenant)


def email_link_path(tenant: Tenant, channel: str, path_in_channel: str) -> str:
    """The path of an email's link (``unsubscribe/<token>/``) in ``channel``."""
    return f"/t/{tenant.pk}/campaigns/{channel}/{path_in_channel}"


urlpatterns: list[URLPattern] = [
    *(
        path(f"{PREFIX}campaigns/<slug:channel>/{name}/<str:token>/", as_tenant(view))
        for name, view in EMAIL_LINKS.items()
    ),
    path(
        f"{PREFIX}reviews/<slug:channel>/",
        as_tenant(review_webhook),
        name="app-reviews",
    ),
]
