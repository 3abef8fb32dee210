from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from example_store.pages import journey_map, journey_map_asset
from example_store.signin import store_graphql
from saleor_journey_plugin.campaigns import views as campaigns
from saleor_journey_plugin.double_opt_in import views as opt_in
from saleor_journey_plugin.graphql.views import graphql_response
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
    # The links in campaign emails (RFC 8058 one-click unsubscribe POSTs here).
    path(
        "campaigns/<slug:channel>/unsubscribe/<str:token>/",
        csrf_exempt(campaigns.unsubscribe),
        name="campaign-unsubscribe",
    ),
    path("campaigns/<slug:channel>/click/<str:token>/", campaigns.click),
    # The double opt-in's confirmation link (the host's public_url puts every
    # emailed link under campaigns/).
    path(
        "campaigns/<slug:channel>/confirm-opt-in/<str:token>/",
        csrf_exempt(opt_in.confirm),
        name="confirm-opt-in",
    ),
]
