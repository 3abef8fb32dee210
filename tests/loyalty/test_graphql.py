"""myLoyalty and redeemLoyaltyPoints through the example store's GraphQL endpoint."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from example_store.host import ExampleStoreHost, issue_token
from example_store.models import Coupon
from saleor_journey_plugin.core.events import EventType as E
from saleor_journey_plugin.core.events import JourneyEventData
from saleor_journey_plugin.core.processing import drain
from saleor_journey_plugin.core.recording import record_event
from saleor_journey_plugin.graphql.paging import encode_cursor
from saleor_journey_plugin.loyalty import ledger
from saleor_journey_plugin.loyalty.models import LedgerEntry
from saleor_journey_plugin.models import Customer

from ..graphql.api import error, graphql
from ..reviews.test_graphql import review
from .conftest import CHANNEL, entries, loyalty_on

pytestmark = pytest.mark.django_db

ANN = {"user_id": "7", "email": "ann@example.com"}
BOB = {"user_id": "8", "email": "bob@example.com"}
MY_LOYALTY = """
query($first: Int, $after: String) {
  myLoyalty {
    balance tier pointsToNextTier expiringSoon
    history(first: $first, after: $after) {
      edges { cursor node { kind points occurredAt expiresAt orderId } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""
STANDING = "{ myLoyalty { balance tier pointsToNextTier expiringSoon } }"
REDEEM = """
mutation($points: Int!) {
  redeemLoyaltyPoints(points: $points) {
    code value { amount currency } balance errors { field code message }
  }
}
"""


def paid(order_id, net, *, days_ago, **who):
    """Record and apply a paid order ``days_ago`` days before now."""
    record_event(
        JourneyEventData(
            type=E.ORDER_PAID,
            idempotency_key=f"order:{order_id}:paid",
            occurred_at=timezone.now() - timedelta(days=days_ago),
            channel=CHANNEL,
            payload={"order_id": order_id, "total": net, "net": net, "currency": "USD"},
            **who,
        )
    )
    drain()


def registered(*people):
    """Their accounts, as the store reports them: what gives each its email."""
    for who in people:
        record_event(
            JourneyEventData(
                type=E.ACCOUNT_CREATED,
                idempotency_key=f"user:{who['user_id']}:created",
                occurred_at=timezone.now() - timedelta(days=400),
                **who,
            )
        )
    drain()


def token(who):
    return issue_token(**who)


def ann_pk():
    return Customer.objects.get(user_id="7").pk


def test_standing_after_earning_from_paid_orders(enabled, client):
    # given: 600 points earned 350 days ago, expiring in 15 days
    paid("o1", "600.00", days_ago=350, **ANN)

    # when
    first = graphql(client, STANDING, token=token(ANN))

    # then: Silver (500 earned), 900 short of Gold's 1500
    assert first.json() == {
        "data": {
            "myLoyalty": {
                "balance": 600,
                "tier": "Silver",
                "pointsToNextTier": 900,
                "expiringSoon": 600,
            }
        }
    }

    # given: 1000 net ten days ago, earned at Silver's 1.25
    paid("o2", "1000.00", days_ago=10, **ANN)

    # when
    second = graphql(client, STANDING, token=token(ANN))

    # then: 1850 earned is Gold, the top tier; only o1's points expire soon
    assert second.json() == {
        "data": {
            "myLoyalty": {
                "balance": 1850,
                "tier": "Gold",
                "pointsToNextTier": None,
                "expiringSoon": 600,
            }
        }
    }


def test_a_customer_with_no_record_yet_stands_in_the_first_tier(enabled, client):
    # when
    response = graphql(client, MY_LOYALTY, token=token(ANN))

    # then
    assert response.json() == {
        "data": {
            "myLoyalty": {
                "balance": 0,
                "tier": "Bronze",
                "pointsToNextTier": 500,
                "expiringSoon": 0,
                "history": {
                    "edges": [],
                    "pageInfo": {"hasNextPage": False, "endCursor": None},
                },
            }
        }
    }


def test_history_pages_newest_first(enabled, client):
    # given: three orders (450 points, all in Bronze), then a redemption
    paid("o1", "200.00", days_ago=30, **ANN)
    paid("o2", "150.00", days_ago=20, **ANN)
    paid("o3", "100.00", days_ago=10, **ANN)
    redeemed = graphql(client, REDEEM, {"points": 150}, token=token(ANN)).json()
    assert redeemed["data"]["redeemLoyaltyPoints"]["errors"] == []

    # when
    first = graphql(client, MY_LOYALTY, {"first": 3}, token=token(ANN)).json()
    page = first["data"]["myLoyalty"]["history"]
    second = graphql(
        client,
        MY_LOYALTY,
        {"first": 3, "after": page["pageInfo"]["endCursor"]},
        token=token(ANN),
    ).json()

    # then
    stored = {e.order_id: e for e in LedgerEntry.objects.filter(kind="earn_order")}
    redeem = LedgerEntry.objects.get(kind="redeem")

    def node(entry, kind, points, order_id):
        return {
            "kind": kind,
            "points": points,
            "occurredAt": entry.occurred_at.isoformat(),
            "expiresAt": entry.expires_at.isoformat() if entry.expires_at else None,
            "orderId": order_id,
        }

    assert [edge["node"] for edge in page["edges"]] == [
        node(redeem, "REDEEM", -150, None),
        node(stored["o3"], "EARN_ORDER", 100, "o3"),
        node(stored["o2"], "EARN_ORDER", 150, "o2"),
    ]
    assert page["pageInfo"]["hasNextPage"] is True
    rest = second["data"]["myLoyalty"]["history"]
    assert [edge["node"] for edge in rest["edges"]] == [
        node(stored["o1"], "EARN_ORDER", 200, "o1")
    ]
    assert rest["pageInfo"] == {
        "hasNextPage": False,
        "endCursor": rest["edges"][0]["cursor"],
    }


@pytest.mark.parametrize("first", [0, 101, -1])
def test_history_page_size_is_bounded(enabled, client, first):
    # when
    response = graphql(client, MY_LOYALTY, {"first": first}, token=token(ANN))

    # then
    assert response.json() == {
        "data": {"myLoyalty": None},
        "errors": [
            error(
                f"'first' must be between 1 and 100, got {first}.",
                "INVALID",
                ["myLoyalty", "history"],
                5,
                5,
                field="first",
            )
        ],
    }


def test_anonymous_caller_gets_an_error_and_no_points(enabled, client):
    # given
    paid("o1", "600.00", days_ago=5, **ANN)

    # when
    response = graphql(client, STANDING)

    # then
    assert response.json() == {
        "data": {"myLoyalty": None},
        "errors": [
            error(
                "You need to be signed in as a customer to see a journey.",
                "PermissionDenied",
                ["myLoyalty"],
                1,
                3,
            )
        ],
    }


def test_loyalty_off_in_the_channel_answers_null(db, client):
    # when: the example store's channels have loyalty off by default
    response = graphql(client, STANDING, token=token(ANN))

    # then
    assert response.json() == {"data": {"myLoyalty": None}}


def test_a_customer_never_sees_another_customers_entries(enabled, client):
    # given
    paid("a1", "200.00", days_ago=3, **ANN)
    paid("b1", "700.00", days_ago=2, **BOB)
    bob_cursor = graphql(client, MY_LOYALTY, token=token(BOB)).json()["data"][
        "myLoyalty"
    ]["history"]["edges"][0]["cursor"]

    # when
    mine = graphql(client, MY_LOYALTY, token=token(ANN)).json()
    via_bobs_cursor = graphql(
        client, MY_LOYALTY, {"after": bob_cursor}, token=token(ANN)
    ).json()

    # then
    loyalty = mine["data"]["myLoyalty"]
    assert loyalty["balance"] == 200
    assert [e["node"]["orderId"] for e in loyalty["history"]["edges"]] == ["a1"]
    assert via_bobs_cursor["data"] == {"myLoyalty": None}
    assert [e["extensions"] for e in via_bobs_cursor["errors"]] == [
        {"exception": {"code": "INVALID", "field": "after"}}
    ]


def test_redeem_creates_a_coupon_worth_the_points_and_debits_them(enabled, client):
    # given
    paid("o1", "600.00", days_ago=5, **ANN)

    # when
    response = graphql(client, REDEEM, {"points": 150}, token=token(ANN))

    # then: 150 points x 0.01 is a 1.50 USD coupon
    answer = response.json()["data"]["redeemLoyaltyPoints"]
    coupon = Coupon.objects.get()
    assert answer == {
        "code": coupon.code,
        "value": {"amount": 1.5, "currency": "USD"},
        "balance": 450,
        "errors": [],
    }
    entry = LedgerEntry.objects.get(kind="redeem")
    assert (
        coupon.channel,
        coupon.value,
        coupon.percentage,
        coupon.currency,
        coupon.reference,
    ) == (CHANNEL, Decimal("1.50"), False, "USD", entry.idempotency_key)
    assert entry.idempotency_key.startswith(f"redeem:{CHANNEL}:{ann_pk()}:")
    assert coupon.expires_at - entry.occurred_at == timedelta(days=365)
    assert ledger.balance(CHANNEL, ann_pk()) == 450


@pytest.mark.parametrize(
    ("fields", "points", "code", "field", "message"),
    [
        ({}, 99, "BELOW_MINIMUM", "points", "Redeem at least 100 points, not 99."),
        (
            {},
            601,
            "NOT_ENOUGH_POINTS",
            "points",
            "The balance is 600 points, less than 601.",
        ),
        (
            {"loyalty_enabled": "false"},
            150,
            "LOYALTY_DISABLED",
            None,
            "Loyalty points are off here.",
        ),
    ],
)
def test_a_refused_redemption_debits_nothing(
    settings, client, fields, points, code, field, message
):
    # given: 600 points earned while loyalty was on
    loyalty_on(settings)
    paid("o1", "600.00", days_ago=5, **ANN)
    loyalty_on(settings, **fields)

    # when
    response = graphql(client, REDEEM, {"points": points}, token=token(ANN))

    # then
    assert response.json() == {
        "data": {
            "redeemLoyaltyPoints": {
                "code": None,
                "value": None,
                "balance": None,
                "errors": [{"field": field, "code": code, "message": message}],
            }
        }
    }
    assert ledger.balance(CHANNEL, ann_pk()) == 600
    assert entries() == [("earn_order", 600, 600, 0)]
    assert Coupon.objects.count() == 0


def test_an_anonymous_redemption_is_refused(enabled, client):
    # when
    response = graphql(client, REDEEM, {"points": 150})

    # then
    assert response.json()["data"]["redeemLoyaltyPoints"] == {
        "code": None,
        "value": None,
        "balance": None,
        "errors": [
            {
                "field": None,
                "code": "NOT_SIGNED_IN",
                "message": "Sign in as a customer to redeem points.",
            }
        ],
    }


def test_no_points_are_debited_when_the_coupon_cannot_be_created(
    enabled, client, monkeypatch
):
    # given: 600 points, and a store that fails to create the coupon
    paid("o1", "600.00", days_ago=5, **ANN)

    def broken(self, request):
        raise RuntimeError("the store is down")

    monkeypatch.setattr(ExampleStoreHost, "create_coupon", broken)

    # when
    response = graphql(client, REDEEM, {"points": 150}, token=token(ANN))

    # then: the client is told of a failure, not of its cause
    answer = response.json()
    assert answer["data"] == {"redeemLoyaltyPoints": None}
    assert [(e["message"], e["extensions"]) for e in answer["errors"]] == [
        ("Internal server error", {"exception": {"code": "INTERNAL_ERROR"}})
    ]
    assert ledger.balance(CHANNEL, ann_pk()) == 600
    assert entries() == [("earn_order", 600, 600, 0)]
    assert Coupon.objects.count() == 0


MY_REVIEWS = """
query($first: Int, $after: String) {
  myLoyalty {
    reviews(first: $first, after: $after) {
      edges { cursor node {
        reviewId rating title body product order verified createdAt receivedAt
      } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""


def my_reviews(client, who, **variables):
    return graphql(client, MY_REVIEWS, variables, token=token(who)).json()


def test_my_loyalty_lists_the_customers_own_reviews_newest_first(enabled, client):
    # given: two reviews of Ann's, one of Bob's, and one of Ann's in web-krw
    paid("a1", "20.00", days_ago=3, **ANN)
    paid("b1", "20.00", days_ago=3, **BOB)
    ann, bob = ann_pk(), Customer.objects.get(user_id="8").pk
    first = review(
        "rv-a1",
        5,
        verified=True,
        hours=1,
        customer_id=ann,
        title="Lovely mug",
        body="Keeps the coffee hot.",
        product="MUG-RED",
        order="a1",
    )
    second = review("rv-a2", 2, hours=3, customer_id=ann, title="Chipped")
    review("rv-b1", 4, hours=2, customer_id=bob, title="Bob's")
    review("rv-a-krw", 5, hours=4, customer_id=ann, channel="web-krw")

    # when
    page = my_reviews(client, ANN, first=1)["data"]["myLoyalty"]["reviews"]
    rest = my_reviews(client, ANN, first=1, after=page["pageInfo"]["endCursor"])

    # then
    assert page == {
        "edges": [
            {
                "cursor": encode_cursor("review", second.pk),
                "node": {
                    "reviewId": "rv-a2",
                    "rating": 2,
                    "title": "Chipped",
                    "body": "",
                    "product": "",
                    "order": "",
                    "verified": False,
                    "createdAt": "2026-03-10T15:00:00+00:00",
                    "receivedAt": "2026-03-10T15:00:00+00:00",
                },
            }
        ],
        "pageInfo": {
            "hasNextPage": True,
            "endCursor": encode_cursor("review", second.pk),
        },
    }
    assert rest["data"]["myLoyalty"]["reviews"] == {
        "edges": [
            {
                "cursor": encode_cursor("review", first.pk),
                "node": {
                    "reviewId": "rv-a1",
                    "rating": 5,
                    "title": "Lovely mug",
                    "body": "Keeps the coffee hot.",
                    "product": "MUG-RED",
                    "order": "a1",
                    "verified": True,
                    "createdAt": "2026-03-10T13:00:00+00:00",
                    "receivedAt": "2026-03-10T13:00:00+00:00",
                },
            }
        ],
        "pageInfo": {
            "hasNextPage": False,
            "endCursor": encode_cursor("review", first.pk),
        },
    }


def test_a_customer_never_sees_another_customers_reviews(enabled, client):
    # given: Bob's review; Ann has none, Carol is not known to the plugin
    paid("a1", "20.00", days_ago=3, **ANN)
    paid("b1", "20.00", days_ago=3, **BOB)
    bobs = review("rv-b1", 4, customer_id=Customer.objects.get(user_id="8").pk)
    carol = {"user_id": "9", "email": "carol@example.com"}

    # when
    mine = my_reviews(client, ANN)
    via_bobs_cursor = {
        who["user_id"]: my_reviews(client, who, after=encode_cursor("review", bobs.pk))
        for who in (ANN, carol)
    }

    # then
    assert mine["data"]["myLoyalty"]["reviews"] == {
        "edges": [],
        "pageInfo": {"hasNextPage": False, "endCursor": None},
    }
    for answer in via_bobs_cursor.values():
        assert answer["data"] == {"myLoyalty": None}
        assert [e["extensions"] for e in answer["errors"]] == [
            {"exception": {"code": "INVALID", "field": "after"}}
        ]


def test_a_customer_cannot_read_who_adjusted_their_points_or_why(enabled, client):
    # given
    paid("a1", "20.00", days_ago=3, **ANN)
    ledger.adjust(
        CHANNEL, ann_pk(), 5, "internal note", "1", "k1", staff_email="s@example.com"
    )
    query = "{ myLoyalty { history { edges { node { points reason staffEmail } } } } }"

    # when
    answer = graphql(client, query, token=token(ANN)).json()

    # then
    edges = answer["data"]["myLoyalty"]["history"]["edges"]
    assert [edge["node"] for edge in edges] == [
        {"points": 5, "reason": None, "staffEmail": None},
        {"points": 20, "reason": None, "staffEmail": None},
    ]
    assert sorted((e["message"], tuple(e["path"][-1:])) for e in answer["errors"]) == [
        ("You need one of the following permissions: MANAGE_USERS", ("reason",)),
        ("You need one of the following permissions: MANAGE_USERS", ("reason",)),
        ("You need one of the following permissions: MANAGE_USERS", ("staffEmail",)),
        ("You need one of the following permissions: MANAGE_USERS", ("staffEmail",)),
    ]
