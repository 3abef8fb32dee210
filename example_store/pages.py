"""The example store's routes to the journey map page and its sign-in API."""

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse

from saleor_journey_plugin.core.host import get_host
from saleor_journey_plugin.journey_map_page.views import map_asset, map_page


def _known(channel: str) -> None:
    if get_host().channel_settings(channel) is None:
        raise Http404(f"No journey in channel '{channel}'.")


def journey_map(request: HttpRequest, channel: str) -> HttpResponse:
    _known(channel)
    return map_page(
        request,
        channel=channel,
        api_url=reverse("journey-graphql", args=[channel]),
        signin_url=reverse("store-graphql"),
        assets_url=reverse("journey-map", args=[channel]) + "assets/",
    )


def journey_map_asset(request: HttpRequest, channel: str, name: str) -> HttpResponse:
    _known(channel)
    return map_asset(request, name)
