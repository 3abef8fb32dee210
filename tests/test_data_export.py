"""customerDataExport: everything the plugin holds about one customer, as JSON."""

import json
from datetime import timedelta

import pytest
from graphql.language.parser import parse

from example_store.host import issue_token
from saleor_journey_plugin.campaigns.models import (
    CampaignClick,
    CampaignMessage,
    CampaignUnsubscribe,
)
from saleor_journey_plugin.core import export
from saleor_journey_plugin.core.events import EventType as E
from saleor_journey_plugin.core.events import Source
from saleor_journey_plugin.core.processing import drain
from saleor_journey_plugin.graphql.cost import query_cost
from saleor_journey_plugin.graphql.schema import schema
from saleor_journey_plugin.loyalty import ledger
from saleor_journey_plugin.models import Customer, JourneyEvent

from .conftest import T0
from .graphql.api import error, graphql
from .loyalty.conftest import loyalty_on
from .reviews.test_graphql import review
from .test_erasure import record, rows_naming

pytestmark = pytest.mark.django_db

ANN = {"user_id": "7", "email": "ann@example.com"}
BOB = {"user_id": "8", "email": "bob@example.com"}
STAFF = {
    "user_id": "501",
    "email": "clerk@example.com",
    "permissions": ["MANAGE_USERS"],
}
EXPORT = """
query($email: String, $userId: String) {
  customerDataExport(email: $email, userId: $userId)
}
"""


def exported(client, **variables):
    response = graphql(client, EXPORT, variables, token=issue_token(**STAFF))
    assert response.status_code == 200
    body = response.json()
    assert "errors" not in body, body
    found = body["data"]["customerDataExport"]
    return None if found is None else json.loads(found)


def at(minutes):
    return (T0 + timedelta(minutes=minutes)).isoformat()


@pytest.fixture
def ann(settings):
    """Ann: an account, a visit, a paid order earning points, a review, a
    campaign email she clicked, an unsubscribe and a staff adjustment; her
    order in web-krw and Bob's data beside hers."""
    loyalty_on(settings)
    record(E.ACCOUNT_CREATED, "user:7:created", minutes=0, channel="", **ANN)
    record(
        E.VISIT,
        "visit:ann:1",
        minutes=1,
        source=Source(utm_source="newsletter", utm_medium="email"),
        **ANN,
    )
    order = {"order_id": "o1", "total": "42.50", "net": "40.00", "currency": "USD"}
    record(E.ORDER_PLACED, "order:o1:placed", minutes=2, payload=order, **ANN)
    record(E.ORDER_PAID, "order:o1:paid", minutes=3, payload=order, **ANN)
    record(E.ORDER_PLACED, "order:k1:placed", minutes=4, channel="web-krw", **ANN)
    record(E.UNSUBSCRIBED, "unsubscribe:ann", minutes=5, **ANN)
    record(E.VISIT, "visit:bob:1", minutes=1, **BOB)
    drain()
    ann = Customer.objects.get(user_id="7")
    bob = Customer.objects.get(user_id="8")
    review(
        "rv-1",
        5,
        verified=True,
        customer_id=ann.pk,
        title="Lovely mug",
        body="Keeps the coffee hot.",
        product="MUG-RED",
        order="o1",
        photos=1,
    )
    review("rv-bob", 1, customer_id=bob.pk, title="Bob's")
    sent = CampaignMessage.objects.create(
        channel="web-usd",
        kind="review_request",
        subject="o1",
        step=1,
        status="sent",
        triggered_at=T0,
        due_at=T0 + timedelta(days=7),
        sent_at=T0 + timedelta(days=7, minutes=1),
        attempts=2,
        last_error="421 try later",
        customer=ann,
        email="ann@example.com",
        coupon_code="THANKS-1",
        coupon_expires_at=T0 + timedelta(days=37),
    )
    CampaignClick.objects.create(message=sent, at=T0 + timedelta(days=8))
    CampaignMessage.objects.create(
        channel="web-usd",
        kind="win_back",
        subject=str(bob.pk),
        step=1,
        triggered_at=T0,
        due_at=T0,
        customer=bob,
        email="bob@example.com",
    )
    CampaignUnsubscribe.objects.create(
        channel="web-usd", customer=ann, at=T0 + timedelta(days=9)
    )
    ledger.adjust(
        "web-usd",
        ann.pk,
        10,
        "sorry for the wait, Ann",
        "501",
        "k1",
        at=T0 + timedelta(days=10),
        staff_email="clerk@example.com",
    )
    return ann


def test_the_export_holds_everything_about_the_customer_in_the_channel(ann, client):
    # when
    data = exported(client, email="ann@example.com")

    # then
    visit = {
        "channel": "web-usd",
        "touch_channel": "WEB",
        "email": "ann@example.com",
        "visitor_id": "",
        "utm_source": "",
        "utm_medium": "",
        "utm_campaign": "",
        "referrer": "",
        "search_term": "",
        "payload": {},
    }
    order = {"order_id": "o1", "total": "42.50", "net": "40.00", "currency": "USD"}
    unsubscribed = {
        **visit,
        "type": "UNSUBSCRIBED",
        "occurred_at": at(5),
        "stage": "PURCHASE",
    }
    assert data == {
        "channel": "web-usd",
        "customer": {
            "user_id": "7",
            "email": "ann@example.com",
            "visitor_id": None,
            "created_at": ann.created_at.isoformat(),
        },
        "journey": {
            "stage": "PURCHASE",
            "stage_entered_at": at(2),
            "paid_orders": 1,
            "history": [
                {
                    "from_stage": None,
                    "to_stage": "AWARENESS",
                    "occurred_at": at(0),
                    "win_back": False,
                    "event_type": "ACCOUNT_CREATED",
                },
                {
                    "from_stage": "AWARENESS",
                    "to_stage": "PURCHASE",
                    "occurred_at": at(2),
                    "win_back": False,
                    "event_type": "ORDER_PLACED",
                },
            ],
        },
        "events": {
            "total": 5,
            "items": [
                unsubscribed,
                {
                    **visit,
                    "type": "ORDER_PAID",
                    "occurred_at": at(3),
                    "stage": "PURCHASE",
                    "payload": order,
                },
                {
                    **visit,
                    "type": "ORDER_PLACED",
                    "occurred_at": at(2),
                    "stage": "PURCHASE",
                    "payload": order,
                },
                {
                    **visit,
                    "type": "VISIT",
                    "occurred_at": at(1),
                    "stage": "AWARENESS",
                    "utm_source": "newsletter",
                    "utm_medium": "email",
                },
                {
                    **visit,
                    "type": "ACCOUNT_CREATED",
                    "occurred_at": at(0),
                    "channel": "",
                    "stage": None,
                },
            ],
        },
        "consent": [unsubscribed],
        "reviews": [
            {
                "review_id": "rv-1",
                "rating": 5,
                "title": "Lovely mug",
                "body": "Keeps the coffee hot.",
                "email": "rv-1@example.com",
                "product": "MUG-RED",
                "order": "o1",
                "photos": 1,
                "verified": True,
                "created_at": "2026-03-10T12:00:00+00:00",
                "received_at": "2026-03-10T12:00:00+00:00",
                "version": 1,
            }
        ],
        "loyalty": {
            "balance": 50,
            "tier": "Bronze",
            "entries": [
                {
                    "kind": "adjust",
                    "points": 10,
                    "occurred_at": "2026-03-11T09:00:00+00:00",
                    "expires_at": None,
                    "unspent": 10,
                    "amount": None,
                    "order_id": "",
                    "review_id": "",
                    "product": "",
                    "reason": "sorry for the wait, Ann",
                },
                {
                    "kind": "earn_order",
                    "points": 40,
                    "occurred_at": at(3),
                    "expires_at": "2027-03-01T09:03:00+00:00",
                    "unspent": 40,
                    "amount": "40.0000",
                    "order_id": "o1",
                    "review_id": "",
                    "product": "",
                    "reason": "",
                },
            ],
        },
        "campaigns": {
            "unsubscribed_at": "2026-03-10T09:00:00+00:00",
            "messages": [
                {
                    "kind": "review_request",
                    "step": 1,
                    "subject": "o1",
                    "status": "sent",
                    "email": "ann@example.com",
                    "due_at": "2026-03-08T09:00:00+00:00",
                    "sent_at": "2026-03-08T09:01:00+00:00",
                    "coupon_code": "THANKS-1",
                    "coupon_expires_at": "2026-04-07T09:00:00+00:00",
                    "clicked_at": ["2026-03-09T09:00:00+00:00"],
                }
            ],
        },
    }


def test_the_export_by_user_id_is_the_same(ann, client):
    # when
    by_email = exported(client, email="ANN@example.com")
    by_user_id = exported(client, userId="7")

    # then
    assert by_user_id == by_email
    assert by_user_id["customer"]["user_id"] == "7"


def test_another_channels_export_holds_only_that_channels_data(ann, client):
    # when
    response = graphql(
        client,
        EXPORT,
        {"userId": "7"},
        token=issue_token(**STAFF),
        channel="web-krw",
    )

    # then: the order there, and the customer-wide account creation
    data = json.loads(response.json()["data"]["customerDataExport"])
    assert [e["type"] for e in data["events"]["items"]] == [
        "ORDER_PLACED",
        "ACCOUNT_CREATED",
    ]
    assert (data["reviews"], data["campaigns"]["messages"]) == ([], [])
    assert data["loyalty"] == {"balance": 0, "tier": None, "entries": []}


def test_an_unknown_customer_has_no_export(ann, client):
    # when
    found = exported(client, email="nobody@example.com")

    # then
    assert found is None


@pytest.mark.parametrize("variables", [{}, {"email": "ann@example.com", "userId": "7"}])
def test_the_export_takes_exactly_one_of_email_and_user_id(ann, client, variables):
    # when
    response = graphql(client, EXPORT, variables, token=issue_token(**STAFF))

    # then
    assert response.json() == {
        "data": {"customerDataExport": None},
        "errors": [
            error(
                "Give exactly one of 'email' and 'userId'.",
                "INVALID",
                ["customerDataExport"],
                3,
                3,
                field="email",
            )
        ],
    }


def test_a_long_event_history_is_exported_newest_first_up_to_the_cap(
    ann, client, monkeypatch
):
    # given: a cap of 3 events for Ann's 5
    monkeypatch.setattr(export, "MAX_EXPORTED_EVENTS", 3)

    # when
    data = exported(client, userId="7")

    # then: the newest three, and the count of all
    assert data["events"]["total"] == 5
    assert [e["type"] for e in data["events"]["items"]] == [
        "UNSUBSCRIBED",
        "ORDER_PAID",
        "ORDER_PLACED",
    ]
    assert [e["type"] for e in data["consent"]] == ["UNSUBSCRIBED"]


def test_after_deletion_nothing_is_left_to_export(ann, client):
    # when: Ann's account is deleted
    record(E.CUSTOMER_DELETED, "user:7:deleted", minutes=20, channel="", **ANN)
    drain()

    # then
    assert exported(client, email="ann@example.com") is None
    assert exported(client, userId="7") is None
    assert rows_naming("ann@example.com", "Lovely mug", "coffee", "Ann") == []
    assert JourneyEvent.objects.filter(user_id="7").count() == 0


def test_ten_exports_in_one_request_cost_too_much():
    # given
    def aliases(n):
        fields = " ".join(f'e{i}: customerDataExport(userId: "{i}")' for i in range(n))
        return parse("{ " + fields + " }").definitions[0]

    # when
    nine, ten = (query_cost(schema, aliases(n), {}, {}) for n in (9, 10))

    # then
    assert (nine, ten) == (45_009, 50_010)
