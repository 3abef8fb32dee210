from django.urls import include, path, re_path

from .api.views import graphql_view
from .dashboard import views as dashboard
from .install.views import manifest_view, register_view
from .webhooks.views import webhook_view

urlpatterns = [
    path("api/manifest", manifest_view, name="app-manifest"),
    path("api/register", register_view, name="app-register"),
    path("api/webhooks/<slug:event>", webhook_view, name="app-webhook"),
    path("graphql/<slug:channel>/", graphql_view, name="app-graphql"),
    # The Dashboard's pages (the manifest's appUrl and extensions). The
    # Dashboard frames them without the trailing slash (see install/manifest.py).
    re_path(r"^app/?$", dashboard.configuration_page, name="app-configuration"),
    re_path(r"^app/map/?$", dashboard.map_page, name="app-map"),
    path("app/map/assets/<str:name>", dashboard.map_asset),
    re_path(r"^app/widgets/customer/?$", dashboard.customer_widget, name="app-widget"),
    path("app/static/<str:name>", dashboard.static),
    path("app/api/configuration", dashboard.configuration_api),
    path("app/api/channels", dashboard.channels_api),
    # Emails' links and the review service's webhook, per tenant.
    path("", include("saleor_journey_app.public.urls")),
]
