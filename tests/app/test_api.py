"""The journey's GraphQL API served by the app, with Saleor's own tokens."""

import json

import pytest

from saleor_journey_app.tenants.schemas import activated
from saleor_journey_plugin.core.processing import drain
from saleor_journey_plugin.loyalty.models import LedgerEntry

from . import payloads as p
from .conftest import CHANNEL, deliver, gid
from .fake_saleor import SigningKey

MY_JOURNEY = "{ myJourney { stage customer { userId email } paidOrders } }"
REPORT = '{ journeyReport(from: "2026-03-01", to: "2026-04-01") { kpis { orders } } }'


def ask(client, query, token=None, channel=CHANNEL, **headers):
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client.post(
        f"/graphql/{channel}/",
        data=json.dumps({"query": query}),
        content_type="application/json",
        **headers,
    )


@pytest.fixture
def bought(client, saleor_a, tenant_a):
    """Customer 42 of Saleor A placed and paid an order (PURCHASE)."""
    for event, typename in (
        ("order-created", "OrderCreated"),
        ("order-fully-paid", "OrderFullyPaid"),
    ):
        body = p.event(typename, order=p.order())
        assert deliver(client, saleor_a, event, body).status_code == 200
    with activated(tenant_a):
        drain()


def test_a_customer_sees_their_journey_with_saleors_token(client, saleor_a, bought):
    token = saleor_a.issue(42, "kim@example.com")

    response = ask(client, MY_JOURNEY, token)

    assert response.status_code == 200
    assert response.json() == {
        "data": {
            "myJourney": {
                "stage": "PURCHASE",
                # The account's email comes from account facts only.
                "customer": {"userId": "42", "email": ""},
                "paidOrders": 1,
            }
        }
    }


def test_a_token_in_saleors_own_header_is_read_too(client, saleor_a, bought):
    token = saleor_a.issue(42, "kim@example.com")

    response = ask(client, MY_JOURNEY, HTTP_AUTHORIZATION_BEARER=token)

    assert response.json()["data"]["myJourney"]["stage"] == "PURCHASE"


def test_another_saleors_customer_with_the_same_id_sees_nothing_of_it(
    client, saleor_b, bought
):
    token = saleor_b.issue(42, "kim@example.com")

    response = ask(client, MY_JOURNEY, token)

    assert response.status_code == 200
    assert response.json() == {"data": {"myJourney": None}}


def test_staff_see_the_report_with_the_permissions_saleor_reports(
    client, saleor_a, bought
):
    saleor_a.staff["lee@example.com"] = ["MANAGE_ORDERS"]
    token = saleor_a.issue(7, "lee@example.com", is_staff=True)

    first = ask(client, REPORT, token)
    again = ask(client, REPORT, token)

    assert first.json() == {"data": {"journeyReport": {"kpis": {"orders": 1}}}}
    assert again.json() == first.json()
    # Asked once: the answer is kept (at most a minute).
    assert len(saleor_a.calls_of("JourneyStaffPermissions")) == 1
    assert saleor_a.calls_of("JourneyStaffPermissions")[0]["token"] == token


def test_staff_without_the_permission_are_denied_the_report(client, saleor_a, bought):
    saleor_a.staff["lee@example.com"] = ["MANAGE_PRODUCTS"]
    token = saleor_a.issue(7, "lee@example.com", is_staff=True)

    response = ask(client, REPORT, token)

    assert response.status_code == 200
    (error,) = response.json()["errors"]
    assert error["message"] == (
        "You need one of the following permissions: MANAGE_ORDERS"
    )
    assert response.json()["data"] == {"journeyReport": None}


def test_a_staff_token_saleor_no_longer_accepts_is_401(client, saleor_a, bought):
    token = saleor_a.issue(7, "gone@example.com", is_staff=True)

    response = ask(client, REPORT, token)

    assert response.status_code == 401
    assert response.json()["errors"][0]["message"] == (
        "Saleor no longer accepts this token."
    )


def test_a_dashboard_extension_token_carries_its_permissions(
    client, saleor_a, tenant_a, bought
):
    token = saleor_a.issue(
        7,
        "lee@example.com",
        type="thirdparty",
        is_staff=True,
        app=tenant_a.saleor_app_id,
        app_extension=gid("AppExtension", 1),
        permissions=["MANAGE_USERS"],
        user_permissions=["MANAGE_ORDERS", "MANAGE_USERS"],
    )

    response = ask(client, REPORT, token)

    assert response.json() == {"data": {"journeyReport": {"kpis": {"orders": 1}}}}
    assert saleor_a.calls_of("JourneyStaffPermissions") == []


def test_an_extension_token_made_for_another_app_is_401(client, saleor_a, bought):
    token = saleor_a.issue(
        7,
        "lee@example.com",
        type="thirdparty",
        app=gid("App", 99),
        user_permissions=["MANAGE_ORDERS"],
    )

    response = ask(client, REPORT, token)

    assert response.status_code == 401
    assert response.json()["errors"][0]["message"] == (
        "The token was made for another app."
    )


@pytest.mark.parametrize(
    "make, message",
    [
        pytest.param(
            lambda saleor: saleor.issue(42, "kim@example.com", expires_in=-60),
            "Token expired.",
            id="expired",
        ),
        pytest.param(
            lambda saleor: saleor.issue(
                42, "kim@example.com", key=SigningKey.new("key-1")
            ),
            "Invalid token.",
            id="forged with the same kid",
        ),
        pytest.param(
            lambda saleor: saleor.issue(
                42, "kim@example.com", key=SigningKey.new("key-forged")
            ),
            "Invalid token.",
            id="unknown kid",
        ),
        pytest.param(
            lambda saleor: saleor.issue(42, "kim@example.com", type="refresh"),
            "Send an access token (tokenCreate's, or the Dashboard's).",
            id="refresh token",
        ),
        pytest.param(
            lambda saleor: "not.a.token",
            "Invalid token.",
            id="garbage",
        ),
    ],
)
def test_a_bad_token_is_401_and_shows_nothing(client, saleor_a, bought, make, message):
    response = ask(client, MY_JOURNEY, make(saleor_a))

    assert response.status_code == 401
    assert response.json() == {
        "errors": [
            {"message": message, "extensions": {"exception": {"code": "InvalidToken"}}}
        ]
    }


def test_a_token_signed_by_another_saleor_claiming_this_one_is_401(
    client, saleor_a, saleor_b, bought
):
    # Saleor B's key, Saleor A's issuer: only A's keys verify A's tokens.
    token = saleor_a.issue(42, "kim@example.com", key=saleor_b.key)

    response = ask(client, MY_JOURNEY, token)

    assert response.status_code == 401


def test_a_token_from_a_saleor_that_did_not_install_the_app_is_401(
    client, saleor_a, bought
):
    token = saleor_a.issue(42, "kim@example.com", iss="http://127.0.0.1:1/graphql/")

    response = ask(client, MY_JOURNEY, token)

    assert response.status_code == 401
    assert response.json()["errors"][0]["message"] == (
        "The token's Saleor has not installed this app."
    )


def test_a_token_and_a_header_naming_different_saleors_are_401(
    client, saleor_a, saleor_b, bought
):
    token = saleor_b.issue(42, "kim@example.com")

    response = ask(client, MY_JOURNEY, token, HTTP_SALEOR_API_URL=saleor_a.api_url)

    assert response.status_code == 401


def test_an_anonymous_caller_names_the_saleor_in_a_header(client, saleor_a, bought):
    named = ask(client, MY_JOURNEY, HTTP_SALEOR_API_URL=saleor_a.api_url)
    unnamed = ask(client, MY_JOURNEY)
    unknown = ask(client, MY_JOURNEY, HTTP_SALEOR_API_URL="http://127.0.0.1:1/graphql/")

    # The tenant's API answered: an anonymous caller has no journey.
    assert named.status_code == 200
    assert named.json()["errors"][0]["message"] == (
        "You need to be signed in as a customer to see a journey."
    )
    assert unnamed.status_code == 400
    assert unknown.status_code == 404
    assert unknown.json()["errors"][0]["message"] == (
        f"No journey in channel '{CHANNEL}'."
    )


def test_a_channel_without_the_journey_is_404(client, saleor_a, bought):
    token = saleor_a.issue(42, "kim@example.com")

    response = ask(client, MY_JOURNEY, token, channel="other-channel")

    assert response.status_code == 404


def test_the_plugins_limits_hold(client, saleor_a, bought):
    token = saleor_a.issue(42, "kim@example.com")
    huge = "{ myJourney { stage } }" + " " * 30_000

    response = ask(client, huge, token)

    assert response.status_code == 413


def test_cors_answers_a_preflight_and_names_allowed_origins(client, settings):
    settings.ALLOWED_GRAPHQL_ORIGINS = ["https://shop.example.com"]

    preflight = client.options(
        f"/graphql/{CHANNEL}/",
        HTTP_ORIGIN="https://shop.example.com",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )
    other = client.options(f"/graphql/{CHANNEL}/", HTTP_ORIGIN="https://evil.example")

    assert preflight.status_code == 200
    assert preflight["Access-Control-Allow-Origin"] == "https://shop.example.com"
    assert "Saleor-Api-Url" in preflight["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Origin" not in other


def test_staff_cannot_credit_their_own_account_through_the_app(
    client, saleor_a, tenant_a, bought
):
    # given: customer 42 of Saleor A is also staff there, with both permissions
    # Saleor reports for a credit, and loyalty on in the channel
    saleor_a.staff["kim@example.com"] = ["MANAGE_USERS", "MANAGE_DISCOUNTS"]
    token = saleor_a.issue(42, "kim@example.com", is_staff=True)
    saved = dict(tenant_a.channels)
    tenant_a.channels = {CHANNEL: {**saved[CHANNEL], "loyalty_enabled": "true"}}
    tenant_a.save(update_fields=["channels"])

    # when: she gives her own account a million points
    try:
        response = ask(
            client,
            'mutation { adjustLoyaltyPoints(userId: "42", points: 1000000, '
            'reason: "bonus") { entry { points } balance '
            "errors { field code message } } }",
            token,
        )
    finally:
        tenant_a.channels = saved
        tenant_a.save(update_fields=["channels"])

    # then: refused, and nothing in the ledger
    assert response.json() == {
        "data": {
            "adjustLoyaltyPoints": {
                "entry": None,
                "balance": None,
                "errors": [
                    {
                        "field": "userId",
                        "code": "OWN_ACCOUNT",
                        "message": "Staff cannot add points to their own account.",
                    }
                ],
            }
        }
    }
    with activated(tenant_a):
        assert not LedgerEntry.objects.filter(kind="adjust").exists()
