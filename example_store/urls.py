from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from example_store.pages import journey_map, journey_map_asset
from example_store.signin import store_graphql
from saleor_journey_plugin.graphql.views import graphql_response
from saleor_journey_plugin.links import EMAIL_LINKS
from saleor_journey_plugin.reviews.views import review_webhook

urlpatterns = [
    path(
        "graphql/<slug:channel>/", csrf_exempt(graphql_response), name="journey-graphql"
    ),
    # Saleor's main API, as far as the journey map's sign-in needs it.
    path("graphql/", csrf_exempt(store_graphql), name="store-graphql"),
    path("map/<slug:channel>/", journey_map, name="journey-map"),
    path("map/<slug:channel>/assets/<str:name>", journey_map_asset),
    # The review webhook at the URL Saleor gives it.
    path(
        "plugins/channel/<slug:channel>/saleor.journey/webhooks/reviews/",
        review_webhook,
        name="journey-reviews",
    ),
    # The links in the plugin's emails (RFC 8058 one-click unsubscribe POSTs;
    # the host's public_url puts every emailed link under campaigns/).
    *(
        path(f"campaigns/<slug:channel>/{name}/<str:token>/", csrf_exempt(view))
        for name, view in EMAIL_LINKS.items()
    ),
]
