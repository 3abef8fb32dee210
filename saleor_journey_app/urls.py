from django.urls import path

from .api.views import graphql_view
from .install.views import manifest_view, register_view
from .webhooks.views import webhook_view

urlpatterns = [
    path("api/manifest", manifest_view, name="app-manifest"),
    path("api/register", register_view, name="app-register"),
    path("api/webhooks/<slug:event>", webhook_view, name="app-webhook"),
    path("graphql/<slug:channel>/", graphql_view, name="app-graphql"),
]
