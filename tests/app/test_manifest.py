"""GET /api/manifest: Saleor's manifest format, checked structurally here
(tests/saleor/test_saleor_app_manifest.py has Saleor validate it)."""

from django.urls import resolve

from graphql import parse
from saleor_journey_app.webhooks.subscriptions import SUBSCRIPTIONS

# What the translation needs, per subscription: the event name Saleor 3.23
# emits (saleor/webhook/event_types.py) and the payload type it sends.
EVENTS = {
    "CHECKOUT_CREATED": "CheckoutCreated",
    "CHECKOUT_UPDATED": "CheckoutUpdated",
    "CHECKOUT_FULLY_PAID": "CheckoutFullyPaid",
    "ORDER_CREATED": "OrderCreated",
    "ORDER_FULLY_PAID": "OrderFullyPaid",
    "ORDER_FULFILLED": "OrderFulfilled",
    "ORDER_CANCELLED": "OrderCancelled",
    "ORDER_REFUNDED": "OrderRefunded",
    "ORDER_FULLY_REFUNDED": "OrderFullyRefunded",
    "CUSTOMER_CREATED": "CustomerCreated",
    "CUSTOMER_UPDATED": "CustomerUpdated",
    "ACCOUNT_CONFIRMED": "AccountConfirmed",
    "ACCOUNT_EMAIL_CHANGED": "AccountEmailChanged",
    "ACCOUNT_DELETED": "AccountDeleted",
    "CUSTOMER_DELETED": "CustomerDeleted",
    "APP_DELETED": "AppDeleted",
}


def test_the_manifest(client):
    response = client.get("/api/manifest")

    assert response.status_code == 200
    data = response.json()
    assert {key: data[key] for key in ("id", "name", "requiredSaleorVersion")} == {
        "id": "saleor.journey",
        "name": "Customer journey",
        "requiredSaleorVersion": "^3.20",
    }
    assert data["version"] and data["about"]
    assert data["permissions"] == [
        "MANAGE_USERS",
        "MANAGE_ORDERS",
        "MANAGE_CHECKOUTS",
        "MANAGE_DISCOUNTS",
    ]
    assert data["appUrl"] == "http://app.test/app/"
    assert data["tokenTargetUrl"] == "http://app.test/api/register"
    assert resolve("/api/register").url_name == "app-register"
    assert data["extensions"] == [
        {
            "identifier": "journey-map",
            "label": "Customer journeys",
            "mount": "NAVIGATION_CUSTOMERS",
            "target": "APP_PAGE",
            "url": "/map/",
            "permissions": ["MANAGE_USERS"],
        },
        {
            "identifier": "customer-journey",
            "label": "Journey and points",
            "mount": "CUSTOMER_DETAILS_WIDGETS",
            "target": "WIDGET",
            "url": "http://app.test/app/widgets/customer/",
            "permissions": ["MANAGE_USERS"],
            "options": {"widgetTarget": {"method": "GET"}},
        },
    ]


def test_each_webhook_is_one_event_with_a_subscription_of_its_own(client):
    webhooks = client.get("/api/manifest").json()["webhooks"]

    assert [hook["asyncEvents"] for hook in webhooks] == [[name] for name in EVENTS]
    for hook in webhooks:
        (event,) = hook["asyncEvents"]
        assert hook["isActive"] is True
        assert hook["targetUrl"].startswith("http://app.test/api/webhooks/")
        path = hook["targetUrl"].removeprefix("http://app.test")
        assert resolve(path).url_name == "app-webhook"
        document = parse(hook["query"])
        (operation, *fragments) = document.definitions
        assert operation.operation == "subscription"
        assert f"... on {EVENTS[event]} " in hook["query"]
        assert "__typename" in hook["query"]
        assert len(fragments) == 1
        assert "secretKey" not in hook  # signatures are JWS, never HMAC


def test_subscriptions_ask_only_for_what_the_translation_reads():
    fields = {s.event: s.fragment for s in SUBSCRIPTIONS}
    checkout = fields["CHECKOUT_UPDATED"]
    # No field whose resolution makes Saleor call shipping or tax webhooks.
    for costly in ("deliveryMethod", "shippingMethod", "totalPrice", "lines {"):
        assert costly not in checkout
    assert "metadata" not in "".join(fields.values())
