"""What one request may ask of the journey API: its cost, and the queries it costs."""

import json
from datetime import timedelta

import pytest

from example_store.host import issue_token
from saleor_journey_plugin.core.events import EventType as E
from saleor_journey_plugin.core.events import JourneyEventData
from saleor_journey_plugin.core.processing import drain
from saleor_journey_plugin.core.recording import record_event

from .conftest import T0

STAFF = issue_token(permissions=["MANAGE_USERS"])
PAGE = """
query($first: Int) {
  customers(first: $first) {
    edges {
      node {
        stage
        customer { email }
        history { fromStage toStage cause { eventType } }
        touchpoints(first: 20) { eventType }
        painPoints(first: 20) { eventType }
      }
    }
  }
}
"""


def graphql(client, query, variables=None, *, token=STAFF):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post(
        "/graphql/web-usd/",
        data=json.dumps({"query": query, "variables": variables or {}}),
        content_type="application/json",
        **headers,
    )


def shoppers(count):
    """``count`` customers who visited, viewed, abandoned a checkout, then ordered."""
    for n in range(count):
        for day, event_type in enumerate(
            [E.VISIT, E.PRODUCT_VIEWED, E.CHECKOUT_ABANDONED, E.ORDER_PLACED]
        ):
            record_event(
                JourneyEventData(
                    type=event_type,
                    idempotency_key=f"{event_type}:{n}",
                    occurred_at=T0 + timedelta(days=day, minutes=n),
                    channel="web-usd",
                    email=f"c{n:03}@example.com",
                )
            )
    drain()


def node(email):
    return {
        "stage": "PURCHASE",
        "customer": {"email": email},
        "history": [
            {
                "fromStage": None,
                "toStage": "AWARENESS",
                "cause": {"eventType": "VISIT"},
            },
            {
                "fromStage": "AWARENESS",
                "toStage": "INTEREST",
                "cause": {"eventType": "PRODUCT_VIEWED"},
            },
            {
                "fromStage": "INTEREST",
                "toStage": "PURCHASE",
                "cause": {"eventType": "ORDER_PLACED"},
            },
        ],
        "touchpoints": [
            {"eventType": "ORDER_PLACED"},
            {"eventType": "CHECKOUT_ABANDONED"},
            {"eventType": "PRODUCT_VIEWED"},
            {"eventType": "VISIT"},
        ],
        "painPoints": [{"eventType": "CHECKOUT_ABANDONED"}],
    }


# Queries a page costs


@pytest.mark.parametrize("count", [10, 100])
def test_a_page_of_customers_with_history_touchpoints_and_pain_points_is_four_queries(
    db, client, django_assert_num_queries, count
):
    # given
    shoppers(count)

    # when: one query for the page, one for all histories with their causes,
    # one for all touchpoints, one for all pain points
    with django_assert_num_queries(4):
        response = graphql(client, PAGE, {"first": 100})

    # then
    assert response.status_code == 200
    edges = response.json()["data"]["customers"]["edges"]
    assert [edge["node"] for edge in edges] == [
        node(f"c{n:03}@example.com") for n in range(count)
    ]


def test_touchpoints_of_a_page_are_each_customers_own_latest(
    store, client, django_assert_num_queries
):
    # given: ann has three events in web-usd, one customer-wide and one in
    # web-krw; bob has one
    ann = {"user_id": "1", "email": "ann@example.com"}
    store.event(E.VISIT, "visit:ann", **ann)
    store.event(E.ACCOUNT_CREATED, "account:ann", **ann, channel="", days=1)
    store.event(E.PRODUCT_VIEWED, "view:ann", **ann, days=1)
    store.event(E.VISIT, "visit:ann:krw", **ann, channel="web-krw", days=1)
    store.event(E.VISIT, "visit:bob", email="bob@example.com", days=1)
    query = """{ customers { edges { node {
      customer { email }
      latest: touchpoints(first: 2) { eventType }
      all: touchpoints { eventType }
    } } } }"""

    # when: the two lists of touchpoints are one query each for the whole page
    with django_assert_num_queries(3):
        response = graphql(client, query)

    # then
    assert response.json() == {
        "data": {
            "customers": {
                "edges": [
                    {
                        "node": {
                            "customer": {"email": "ann@example.com"},
                            "latest": [
                                {"eventType": "PRODUCT_VIEWED"},
                                {"eventType": "ACCOUNT_CREATED"},
                            ],
                            "all": [
                                {"eventType": "PRODUCT_VIEWED"},
                                {"eventType": "ACCOUNT_CREATED"},
                                {"eventType": "VISIT"},
                            ],
                        }
                    },
                    {
                        "node": {
                            "customer": {"email": "bob@example.com"},
                            "latest": [{"eventType": "VISIT"}],
                            "all": [{"eventType": "VISIT"}],
                        }
                    },
                ]
            }
        }
    }


def test_aliases_of_the_stage_distribution_count_once(
    store, client, django_assert_num_queries
):
    # given
    store.event(E.ORDER_PLACED, "order:1", email="a@example.com")
    query = "{ " + " ".join(f"s{n}: stageDistribution {{ total }}" for n in range(50))
    query += " }"

    # when
    with django_assert_num_queries(1):
        response = graphql(client, query)

    # then
    assert response.json() == {"data": {f"s{n}": {"total": 1} for n in range(50)}}
