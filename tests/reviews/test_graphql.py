"""The staff ``reviews`` query through the example store's GraphQL endpoint."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from graphql.language.parser import parse

from example_store.host import issue_token
from saleor_journey_plugin.graphql.cost import query_cost
from saleor_journey_plugin.graphql.paging import encode_cursor
from saleor_journey_plugin.graphql.schema import schema
from saleor_journey_plugin.reviews.models import Review

from ..graphql.api import error, graphql
from .conftest import CHANNEL

pytestmark = pytest.mark.django_db

STAFF = {"permissions": ["MANAGE_USERS"]}
T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
IDS = """
query($rating: Int, $verified: Boolean, $first: Int, $after: String) {
  reviews(rating: $rating, verified: $verified, first: $first, after: $after) {
    edges { node { reviewId } }
    pageInfo { hasNextPage }
  }
}
"""


def review(review_id, rating, *, verified=False, hours=0, channel=CHANNEL, **fields):
    """A review received ``hours`` after T0 (the model, as the drain leaves it)."""
    at = T0 + timedelta(hours=hours)
    return Review.objects.create(
        channel=channel,
        review_id=review_id,
        rating=rating,
        verified=verified,
        email=f"{review_id}@example.com",
        created_at=at,
        received_at=at,
        updated_at=at,
        **fields,
    )


@pytest.fixture
def four():
    """web-usd: two 5s and two 1s, one of each verified; web-krw: one 5."""
    review("rv-1", 5, verified=True, hours=1)
    review("rv-2", 1, hours=2)
    review("rv-3", 5, hours=3)
    review("rv-4", 1, verified=True, hours=4)
    review("rv-krw", 5, verified=True, hours=5, channel="web-krw")


def ids(client, variables, channel=CHANNEL):
    """The review ids staff see for ``variables``, in the order given."""
    response = graphql(
        client, IDS, variables, token=issue_token(**STAFF), channel=channel
    )
    assert response.status_code == 200
    body = response.json()
    assert "errors" not in body, body
    return [e["node"]["reviewId"] for e in body["data"]["reviews"]["edges"]]


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        pytest.param({}, ["rv-4", "rv-3", "rv-2", "rv-1"], id="all"),
        pytest.param({"rating": 5}, ["rv-3", "rv-1"], id="rating-5"),
        pytest.param({"rating": 1}, ["rv-4", "rv-2"], id="rating-1"),
        pytest.param({"rating": 3}, [], id="rating-none"),
        pytest.param({"verified": True}, ["rv-4", "rv-1"], id="verified"),
        pytest.param({"verified": False}, ["rv-3", "rv-2"], id="unverified"),
        pytest.param({"rating": 1, "verified": False}, ["rv-2"], id="both"),
    ],
)
def test_filters_give_exactly_the_matching_reviews_newest_first(
    four, client, variables, expected
):
    # when
    found = ids(client, variables)

    # then
    assert found == expected


def test_another_channels_reviews_are_not_visible(four, client):
    # when
    usd = ids(client, {"rating": 5})
    krw = ids(client, {"rating": 5}, channel="web-krw")

    # then
    assert usd == ["rv-3", "rv-1"]
    assert krw == ["rv-krw"]


def test_a_review_shows_every_field(client):
    # given: version 2 of a verified review with photos
    kept = review(
        "rv-9",
        4,
        verified=True,
        title="Lovely mug",
        body="Keeps the coffee hot.",
        product="MUG-RED",
        order="1042",
        photos=2,
        version=2,
    )
    query = """{ reviews { edges { cursor node {
      reviewId rating title body email verified product order photos
      createdAt receivedAt version } } pageInfo { hasNextPage endCursor } } }"""

    # when
    response = graphql(client, query, token=issue_token(**STAFF))

    # then
    cursor = encode_cursor("review", kept.pk)
    assert response.json() == {
        "data": {
            "reviews": {
                "edges": [
                    {
                        "cursor": cursor,
                        "node": {
                            "reviewId": "rv-9",
                            "rating": 4,
                            "title": "Lovely mug",
                            "body": "Keeps the coffee hot.",
                            "email": "rv-9@example.com",
                            "verified": True,
                            "product": "MUG-RED",
                            "order": "1042",
                            "photos": 2,
                            "createdAt": "2026-03-10T12:00:00+00:00",
                            "receivedAt": "2026-03-10T12:00:00+00:00",
                            "version": 2,
                        },
                    }
                ],
                "pageInfo": {"hasNextPage": False, "endCursor": cursor},
            }
        }
    }


def test_pages_follow_the_end_cursor_without_gaps_or_repeats(client):
    # given: five reviews, two received at the same moment
    review("rv-1", 5, hours=1)
    review("rv-2", 4, hours=2)
    review("rv-3", 3, hours=2)
    review("rv-4", 2, hours=3)
    review("rv-5", 1, hours=4)
    query = """query($after: String) { reviews(first: 3, after: $after) {
      edges { node { reviewId } } pageInfo { hasNextPage endCursor } } }"""
    token = issue_token(**STAFF)

    # when
    first = graphql(client, query, token=token).json()["data"]["reviews"]
    after = first["pageInfo"]["endCursor"]
    second = graphql(client, query, {"after": after}, token=token).json()
    second = second["data"]["reviews"]

    # then: the tie at hour 2 is broken by the newer row first
    assert [e["node"]["reviewId"] for e in first["edges"]] == ["rv-5", "rv-4", "rv-3"]
    assert first["pageInfo"]["hasNextPage"] is True
    assert [e["node"]["reviewId"] for e in second["edges"]] == ["rv-2", "rv-1"]
    assert second["pageInfo"]["hasNextPage"] is False


def test_a_cursor_of_another_channel_is_refused(client):
    # given
    other = review("rv-krw", 5, channel="web-krw")
    query = """query($after: String) { reviews(after: $after) {
      edges { node { reviewId } } } }"""

    # when
    response = graphql(
        client,
        query,
        {"after": encode_cursor("review", other.pk)},
        token=issue_token(**STAFF),
    )

    # then
    assert response.json() == {
        "data": {"reviews": None},
        "errors": [
            error(
                "'after' is not a cursor this API returned.",
                "INVALID",
                ["reviews"],
                1,
                25,
                field="after",
            )
        ],
    }


@pytest.mark.parametrize("rating", [0, 6, -1])
def test_a_rating_outside_1_to_5_is_refused_before_any_review_is_read(
    four, client, rating
):
    # given
    query = "query($rating: Int) { reviews(rating: $rating) { edges { cursor } } }"

    # when
    with CaptureQueriesContext(connection) as queries:
        response = graphql(
            client, query, {"rating": rating}, token=issue_token(**STAFF)
        )

    # then
    assert response.json() == {
        "data": {"reviews": None},
        "errors": [
            error(
                f"'rating' must be between 1 and 5, got {rating}.",
                "INVALID",
                ["reviews"],
                1,
                23,
                field="rating",
            )
        ],
    }
    assert [q["sql"] for q in queries if "journey_review" in q["sql"]] == []


@pytest.mark.parametrize(
    "token",
    [
        pytest.param({}, id="anonymous"),
        pytest.param({"user_id": "1", "email": "a@example.com"}, id="customer"),
        pytest.param(
            {"permissions": ["MANAGE_ORDERS"]}, id="staff-without-manage-users"
        ),
    ],
)
def test_reviews_need_manage_users(four, client, token):
    # when
    response = graphql(
        client,
        "{ reviews { edges { node { reviewId email } } } }",
        token=issue_token(**token) if token else "",
    )

    # then
    assert response.status_code == 200
    assert response.json() == {
        "data": {"reviews": None},
        "errors": [
            error(
                "You need one of the following permissions: MANAGE_USERS",
                "PermissionDenied",
                ["reviews"],
                1,
                3,
            )
        ],
    }


@pytest.mark.parametrize(
    ("first", "cost"), [("", 61), ("(first: 1)", 4), ("(first: 100)", 301)]
)
def test_cost_counts_each_review_of_a_page_once(first, cost):
    # given: a page of reviews, each an edge, a node and a rating
    query = "{ reviews" + first + " { edges { node { rating } } } }"

    # when
    counted = query_cost(schema, parse(query).definitions[0], {}, {})

    # then: the page's `first` (20 when omitted) already sized the edges
    assert counted == cost
