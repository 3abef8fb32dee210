"""What one request may ask of the journey API: its cost, and the queries it costs."""

import base64
import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from graphql.utils.introspection_query import introspection_query

from example_store.host import issue_token
from saleor_journey_plugin.core.events import EventType as E
from saleor_journey_plugin.core.events import JourneyEventData
from saleor_journey_plugin.core.processing import drain
from saleor_journey_plugin.core.recording import record_event

from ..conftest import T0

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


def refused(message, code="QUERY_TOO_COMPLEX"):
    return {
        "data": None,
        "errors": [{"message": message, "extensions": {"exception": {"code": code}}}],
    }


def cost_refused(cost):
    limit = {"requestedQueryCost": cost, "maximumAvailable": 50000}
    return {
        "data": None,
        "errors": [
            {
                "message": "The query exceeds the maximum cost of 50000. "
                f"Actual cost is {cost}",
                "extensions": {"exception": {"code": "QueryCostError"}, "cost": limit},
            }
        ],
        "extensions": {"cost": limit},
    }


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


# Refused before they run


def test_500_aliases_of_a_page_of_customers_are_refused_at_once_without_a_query(
    db, client
):
    # given: the request that ran for 156 s and answered 31 MB
    aliases = " ".join(
        f"c{n}: customers(first: 100) {{ edges {{ node {{ "
        "history { toStage } touchpoints { eventType } } } }"
        for n in range(500)
    )
    query = "{ " + aliases + " }"

    # when
    with CaptureQueriesContext(connection) as queries:
        response = graphql(client, query)

    # then
    assert response.status_code == 413
    assert response.json() == {
        "errors": [
            {
                "message": (
                    f"The query is {len(query)} characters long; "
                    "at most 20000 are allowed."
                ),
                "extensions": {"exception": {"code": "RequestTooLarge"}},
            }
        ]
    }
    assert len(queries) == 0


def test_500_aliases_written_short_are_refused_for_their_fields_without_a_query(
    db, client
):
    # given: the same aliases, short enough to be parsed
    query = "{" + "".join(
        f"c{n}:customers{{edges{{node{{stage}}}}}}" for n in range(500)
    )
    query += "}"

    # when
    with CaptureQueriesContext(connection) as queries:
        response = graphql(client, query)

    # then
    assert response.status_code == 400
    assert response.json() == refused(
        "The query selects 2000 fields (each alias and each use of a fragment "
        "counted); at most 250 are allowed."
    )
    assert len(queries) == 0


@pytest.mark.parametrize(("fields", "allowed"), [(249, True), (250, False)])
def test_a_query_selects_at_most_250_fields(db, client, fields, allowed):
    # given: myJourney and its stage, aliased over and over
    query = "{ myJourney { " + " ".join(f"s{n}: stage" for n in range(fields))
    query += " } }"

    # when
    response = graphql(client, query, token=issue_token(user_id="1"))

    # then
    if allowed:
        assert response.json() == {"data": {"myJourney": None}}
    else:
        assert response.status_code == 400
        assert response.json() == refused(
            "The query selects 251 fields (each alias and each use of a fragment "
            "counted); at most 250 are allowed."
        )


def test_a_fragment_bomb_is_refused_without_expanding_it(db, client):
    # given: each fragment spreads the next twice, 2**30 stages once expanded
    query = "query { myJourney { ...F0 } }\n"
    query += "".join(
        f"fragment F{n} on Journey {{ ...F{n + 1} ...F{n + 1} }}\n" for n in range(30)
    )
    query += "fragment F30 on Journey { stage }"

    # when
    # (counted without expanding: expanding would not finish)
    response = graphql(client, query)

    # then
    assert response.json() == refused(
        "The query selects 1073741825 fields (each alias and each use of a "
        "fragment counted); at most 250 are allowed."
    )


def test_an_unused_fragment_counts_too(db, client):
    # given: validation would expand it even though no operation spreads it
    query = "{ myJourney { stage } }\n"
    query += "".join(
        f"fragment F{n} on Journey {{ ...F{n + 1} ...F{n + 1} }}\n" for n in range(20)
    )
    query += "fragment F20 on Journey { stage }"

    # when
    response = graphql(client, query)

    # then
    assert response.json() == refused(
        "The query selects 1048578 fields (each alias and each use of a "
        "fragment counted); at most 250 are allowed."
    )


@pytest.mark.parametrize(("depth", "allowed"), [(15, True), (16, False)])
def test_a_query_is_nested_at_most_15_levels(db, client, depth, allowed):
    # given: __schema, types, then ofType down to the last level's name
    chain = "ofType { " * (depth - 3) + "name" + " }" * (depth - 3)
    query = "{ __schema { types { " + chain + " } } }"

    # when
    response = graphql(client, query)

    # then
    if allowed:
        assert response.status_code == 200
        assert "__schema" in response.json()["data"]
    else:
        assert response.status_code == 400
        assert response.json() == refused(
            "The query is nested 16 levels deep; at most 15 are allowed."
        )


def test_a_query_nested_past_what_the_parser_can_follow_is_refused(db, client):
    # given: deeper than Python's recursion limit lets graphql-core parse
    query = "{ a " * 400 + "}" * 400

    # when
    response = graphql(client, query)

    # then
    assert response.status_code == 400
    assert response.json() == refused(
        "The query is nested too deeply; at most 15 levels are allowed."
    )


@pytest.mark.parametrize(("first", "cost"), [(99, 49798), (100, 50301)])
def test_cost_multiplies_by_first_given_as_a_variable(db, client, first, cost):
    # given: each customer is 3 values plus 100 touchpoints of 5 values each
    query = """query($first: Int) { customers(first: $first) { edges { node {
      touchpoints(first: 100) { eventType occurredAt stage stageLabel emotion }
    } } } }"""

    # when
    response = graphql(client, query, {"first": first})

    # then
    if cost <= 50000:
        assert response.json() == {"data": {"customers": {"edges": []}}}
    else:
        assert response.status_code == 400
        assert response.json() == cost_refused(cost)


@pytest.mark.parametrize(("fields", "cost"), [(124, 49661), (125, 50061)])
def test_cost_takes_the_default_first_when_it_is_omitted(db, client, fields, cost):
    # given: 20 customers by default, 20 touchpoints each by default
    selected = " ".join(f"e{n}: eventType" for n in range(fields))
    query = "{ customers { edges { node { touchpoints { " + selected + " } } } } }"

    # when
    response = graphql(client, query)

    # then
    if cost <= 50000:
        assert response.json() == {"data": {"customers": {"edges": []}}}
    else:
        assert response.json() == cost_refused(cost)


@pytest.mark.parametrize(("fields", "cost"), [(49, 49301), (50, 50301)])
def test_cost_counts_ten_transitions_for_each_history(db, client, fields, cost):
    # given
    selected = " ".join(f"t{n}: toStage" for n in range(fields))
    query = (
        "{ customers(first: 100) { edges { node { history { " + selected + " } } } } }"
    )

    # when
    response = graphql(client, query)

    # then
    if cost <= 50000:
        assert response.json() == {"data": {"customers": {"edges": []}}}
    else:
        assert response.json() == cost_refused(cost)


def test_fragments_cost_what_they_would_written_out(db, client):
    # given: the refused query of the test above, through named and inline fragments
    selected = " ".join(f"t{n}: toStage" for n in range(50))
    query = (
        "{ customers(first: 100) { edges { ...Edge } } }\n"
        "fragment Edge on JourneyEdge { node { ... on Journey { ...History } } }\n"
        "fragment History on Journey { history { " + selected + " } }"
    )

    # when
    response = graphql(client, query)

    # then
    assert response.json() == cost_refused(50301)


def test_the_introspection_query_tools_send_is_within_every_limit(db, client):
    # when
    response = graphql(client, introspection_query, token="")

    # then
    assert response.status_code == 200
    types = {t["name"] for t in response.json()["data"]["__schema"]["types"]}
    assert {"Journey", "JourneyConnection", "JourneyTouchpoint"} <= types


def test_nested_introspection_lists_are_refused_for_their_cost(db, client):
    # given: every type's fields' types' fields' ... a few million objects
    query = (
        "{ __schema { types { fields { type { fields { type { fields { type { "
        "fields { type { name } } } } } } } } } } }"
    )

    # when
    response = graphql(client, query, token="")

    # then
    assert response.json() == cost_refused(222212)


# String arguments are checked before any query


@pytest.mark.parametrize(
    ("variables", "message", "field"),
    [
        pytest.param(
            {"email": "a" * 243 + "@example.com"},
            "'email' must be at most 254 characters, got 255.",
            "email",
            id="email-too-long",
        ),
        pytest.param(
            {"email": "ann\x00@example.com"},
            "'email' must not contain control characters.",
            "email",
            id="email-with-nul",
        ),
        pytest.param(
            {"email": "not-an-email"},
            "'email' is not a valid email address.",
            "email",
            id="email-without-at-sign",
        ),
        pytest.param(
            {"userId": "1" * 65},
            "'userId' must be at most 64 characters, got 65.",
            "userId",
            id="user-id-too-long",
        ),
        pytest.param(
            {"userId": "42\x00"},
            "'userId' must not contain control characters.",
            "userId",
            id="user-id-with-nul",
        ),
    ],
)
def test_customer_journey_checks_its_arguments_before_the_database(
    db, client, variables, message, field
):
    # given
    query = """query($email: String, $userId: String) {
      customerJourney(email: $email, userId: $userId) { stage }
    }"""

    # when
    with CaptureQueriesContext(connection) as queries:
        response = graphql(client, query, variables)

    # then
    assert response.status_code == 200
    assert response.json() == {
        "data": {"customerJourney": None},
        "errors": [
            {
                "message": message,
                "locations": [{"line": 2, "column": 7}],
                "path": ["customerJourney"],
                "extensions": {"exception": {"code": "INVALID", "field": field}},
            }
        ],
    }
    assert len(queries) == 0


@pytest.mark.parametrize(
    ("after", "message"),
    [
        pytest.param(
            "x" * 65,
            "'after' must be at most 64 characters, got 65.",
            id="too-long",
        ),
        pytest.param(
            "am91cm5leTox\x00",
            "'after' must not contain control characters.",
            id="with-nul",
        ),
        pytest.param(
            # past PostgreSQL's bigint
            base64.urlsafe_b64encode(b"journey:" + b"9" * 20).decode(),
            "'after' is not a cursor this API returned.",
            id="id-out-of-range",
        ),
    ],
)
def test_customers_checks_its_cursor_before_the_database(db, client, after, message):
    # given
    query = "query($after: String) { customers(after: $after) { edges { cursor } } }"

    # when
    with CaptureQueriesContext(connection) as queries:
        response = graphql(client, query, {"after": after})

    # then
    assert response.json() == {
        "data": {"customers": None},
        "errors": [
            {
                "message": message,
                "locations": [{"line": 1, "column": 25}],
                "path": ["customers"],
                "extensions": {"exception": {"code": "INVALID", "field": "after"}},
            }
        ],
    }
    assert len(queries) == 0
