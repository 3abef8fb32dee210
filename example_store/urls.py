from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from saleor_journey_plugin.graphql.views import graphql_response

urlpatterns = [
    path(
        "graphql/<slug:channel>/", csrf_exempt(graphql_response), name="journey-graphql"
    ),
]
