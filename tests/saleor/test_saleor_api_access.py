"""Who may read journeys over the plugin endpoint, with Saleor's own credentials."""

import pytest
from saleor.plugins.manager import get_plugins_manager

from saleor_journey_plugin.models import Journey

MY_JOURNEY = "query { myJourney { stage customer { userId } } }"
CUSTOMER_JOURNEY = """
query ($email: String) { customerJourney(email: $email) { stage customer { email } } }
"""
DISTRIBUTION = "query { stageDistribution { total stages { stage count } } }"


@pytest.fixture
def known_customer(
    journey_active, channel_USD, order_with_lines, django_capture_on_commit_callbacks
):
    """A customer in PURCHASE in channel_USD, put there by the order_created hook."""
    manager = get_plugins_manager(allow_replica=False)
    with django_capture_on_commit_callbacks(execute=True):
        manager.order_created(order_with_lines)
    journey = Journey.objects.get(channel=channel_USD.slug)
    assert journey.stage == "PURCHASE"
    return order_with_lines.user


def _denied(response, field):
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {field: None}
    assert [e["extensions"]["exception"]["code"] for e in body["errors"]] == [
        "PermissionDenied"
    ]
    return body


def test_anonymous_caller_is_denied_everything(
    known_customer, channel_USD, journey_api
):
    # given no credentials
    # when an anonymous caller asks for journeys
    mine = journey_api(channel_USD.slug, MY_JOURNEY)
    theirs = journey_api(
        channel_USD.slug, CUSTOMER_JOURNEY, {"email": known_customer.email}
    )
    distribution = journey_api(channel_USD.slug, DISTRIBUTION)

    # then each is PermissionDenied with no data
    _denied(mine, "myJourney")
    _denied(theirs, "customerJourney")
    _denied(distribution, "stageDistribution")


def test_customer_sees_only_their_own_journey(
    known_customer, channel_USD, customer_user2, journey_api, access_token
):
    # given the journey's owner and another customer, both with Saleor tokens
    # when each asks for their own journey, and the other for the owner's
    own = journey_api(channel_USD.slug, MY_JOURNEY, token=access_token(known_customer))
    other = journey_api(
        channel_USD.slug, MY_JOURNEY, token=access_token(customer_user2)
    )
    prying = journey_api(
        channel_USD.slug,
        CUSTOMER_JOURNEY,
        {"email": known_customer.email},
        token=access_token(customer_user2),
    )

    # then the owner sees theirs, the other customer has none, and cannot look up others
    assert own.json() == {
        "data": {
            "myJourney": {
                "stage": "PURCHASE",
                "customer": {"userId": str(known_customer.pk)},
            }
        }
    }
    assert other.json() == {"data": {"myJourney": None}}
    _denied(prying, "customerJourney")


def test_staff_without_manage_users_is_denied(
    known_customer,
    channel_USD,
    staff_user,
    permission_manage_orders,
    journey_api,
    access_token,
):
    # given a staff member with MANAGE_ORDERS but not MANAGE_USERS
    staff_user.user_permissions.add(permission_manage_orders)
    token = access_token(staff_user)

    # when they look a customer up
    response = journey_api(
        channel_USD.slug, CUSTOMER_JOURNEY, {"email": known_customer.email}, token=token
    )

    # then denied, no data
    _denied(response, "customerJourney")


def test_staff_with_manage_users_reads_customers(
    known_customer,
    channel_USD,
    staff_user,
    permission_manage_users,
    journey_api,
    access_token,
):
    # given a staff member with MANAGE_USERS
    staff_user.user_permissions.add(permission_manage_users)
    token = access_token(staff_user)

    # when they look the customer up and ask for the distribution
    found = journey_api(
        channel_USD.slug, CUSTOMER_JOURNEY, {"email": known_customer.email}, token=token
    )
    distribution = journey_api(channel_USD.slug, DISTRIBUTION, token=token)

    # then both answer
    assert found.json() == {
        "data": {
            "customerJourney": {
                "stage": "PURCHASE",
                "customer": {"email": known_customer.email},
            }
        }
    }
    body = distribution.json()
    assert "errors" not in body
    assert body["data"]["stageDistribution"]["total"] == 1
    assert {
        s["stage"]: s["count"] for s in body["data"]["stageDistribution"]["stages"]
    }["PURCHASE"] == 1


def test_app_token_with_manage_users_reads_customers(
    known_customer, channel_USD, app, permission_manage_users, journey_api
):
    # given an app with MANAGE_USERS and its token
    app.permissions.add(permission_manage_users)
    _, token = app.tokens.create(name="journey")

    # when the app looks the customer up
    response = journey_api(
        channel_USD.slug, CUSTOMER_JOURNEY, {"email": known_customer.email}, token=token
    )

    # then it gets the journey
    assert response.status_code == 200
    assert response.json() == {
        "data": {
            "customerJourney": {
                "stage": "PURCHASE",
                "customer": {"email": known_customer.email},
            }
        }
    }


def test_app_token_without_manage_users_is_denied(
    known_customer, channel_USD, app, journey_api
):
    # given an app without permissions
    _, token = app.tokens.create(name="journey")

    # when it looks the customer up
    response = journey_api(
        channel_USD.slug, CUSTOMER_JOURNEY, {"email": known_customer.email}, token=token
    )

    # then denied
    _denied(response, "customerJourney")


def test_inactive_app_token_is_rejected(
    known_customer, channel_USD, app, permission_manage_users, journey_api
):
    # given a deactivated app that still holds MANAGE_USERS and a token
    app.permissions.add(permission_manage_users)
    _, token = app.tokens.create(name="journey")
    app.is_active = False
    app.save(update_fields=["is_active"])

    # when it calls the endpoint
    response = journey_api(
        channel_USD.slug, CUSTOMER_JOURNEY, {"email": known_customer.email}, token=token
    )

    # then the token is not accepted
    assert response.status_code == 401
    assert "data" not in response.json()


def test_forged_or_unknown_tokens_get_401(known_customer, channel_USD, journey_api):
    # given a JWT-shaped garbage token and a 30-character unknown app token
    # when each is used
    forged = journey_api(channel_USD.slug, MY_JOURNEY, token="a.b.c")
    unknown_app = journey_api(channel_USD.slug, MY_JOURNEY, token="x" * 30)

    # then 401 with code InvalidToken, no data
    for response in (forged, unknown_app):
        assert response.status_code == 401
        body = response.json()
        assert "data" not in body
        assert body["errors"][0]["extensions"]["exception"]["code"] == "InvalidToken"


def test_channel_where_the_plugin_is_inactive_answers_404(
    journey_config,
    channel_USD,
    channel_PLN,
    channel_JPY,
    customer_user,
    journey_api,
    access_token,
):
    # given the plugin active in USD, configured inactive in PLN, never set up in JPY
    journey_config(channel_USD)
    journey_config(channel_PLN, active=False)
    token = access_token(customer_user)

    # when a customer calls each channel's endpoint
    usd = journey_api(channel_USD.slug, MY_JOURNEY, token=token)
    pln = journey_api(channel_PLN.slug, MY_JOURNEY, token=token)
    jpy = journey_api(channel_JPY.slug, MY_JOURNEY, token=token)
    missing = journey_api("no-such-channel", MY_JOURNEY, token=token)

    # then only the active channel answers
    assert usd.status_code == 200
    assert usd.json() == {"data": {"myJourney": None}}
    assert (pln.status_code, jpy.status_code, missing.status_code) == (404, 404, 404)


def test_cors_preflight_is_answered(journey_active, channel_USD, journey_api):
    # given a browser storefront on another origin
    # when it sends the preflight
    response = journey_api(
        channel_USD.slug,
        None,
        method="options",
        HTTP_ORIGIN="https://shop.example.com",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )

    # then 200 with the CORS headers a browser needs
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response["Access-Control-Allow-Methods"]
    assert "Authorization" in response["Access-Control-Allow-Headers"]
    assert "Content-Type" in response["Access-Control-Allow-Headers"]


def test_other_paths_under_the_plugin_are_404(journey_active, channel_USD):
    # given the plugin active in channel_USD
    from django.test.client import Client

    # when something other than graphql/ is requested under the plugin's URL
    response = Client().post(
        f"/plugins/channel/{channel_USD.slug}/saleor.journey/admin/"
    )

    # then 404
    assert response.status_code == 404
