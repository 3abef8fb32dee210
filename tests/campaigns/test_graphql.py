"""campaignMessages through the example store's GraphQL endpoint."""

import base64
from datetime import timedelta

import pytest
from graphql.language.parser import parse

from example_store.host import issue_token
from saleor_journey_plugin.campaigns.models import CampaignMessage, MessageStatus
from saleor_journey_plugin.graphql.cost import query_cost
from saleor_journey_plugin.graphql.schema import schema

from ..conftest import T0
from ..graphql.api import STAFF, error, graphql
from .channels import CHANNEL

pytestmark = pytest.mark.django_db

MESSAGES = """
query(
  $kind: CampaignKind, $status: CampaignMessageStatus, $first: Int, $after: String
) {
  campaignMessages(kind: $kind, status: $status, first: $first, after: $after) {
    edges {
      cursor
      node {
        kind step subject status email dueAt sentAt attempts lastError couponCode
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""
SUBJECTS = """
query(
  $kind: CampaignKind, $status: CampaignMessageStatus, $first: Int, $after: String
) {
  campaignMessages(kind: $kind, status: $status, first: $first, after: $after) {
    edges { node { subject step } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def message(subject, *, kind="abandoned_checkout", step=1, channel=CHANNEL, **fields):
    return CampaignMessage.objects.create(
        channel=channel,
        kind=kind,
        subject=subject,
        step=step,
        triggered_at=T0,
        due_at=fields.pop("due_at", T0 + timedelta(hours=step)),
        **fields,
    )


def cursor(pk):
    return base64.urlsafe_b64encode(f"campaign_message:{pk}".encode()).decode()


def staff():
    return issue_token(**STAFF)


def subjects(response):
    data = response.json()["data"]["campaignMessages"]
    return [(e["node"]["subject"], e["node"]["step"]) for e in data["edges"]]


@pytest.fixture
def messages():
    """Five emails in web-usd, created in this order, and one in web-krw."""
    return [
        message(
            "chk-1",
            status=MessageStatus.SENT,
            email="a@example.com",
            sent_at=T0 + timedelta(hours=1),
            attempts=1,
            coupon_code="BACK10",
        ),
        message(
            "chk-1",
            step=2,
            status=MessageStatus.FAILED,
            email="a@example.com",
            attempts=3,
            last_error="SMTP 451: try again later",
        ),
        message("cust-9", kind="win_back", status=MessageStatus.SCHEDULED),
        message(
            "order-4",
            kind="review_request",
            status=MessageStatus.SENT,
            email="b@example.com",
            sent_at=T0 + timedelta(hours=2),
            attempts=1,
        ),
        message("chk-2", status=MessageStatus.CANCELLED, email="c@example.com"),
        message("chk-krw", channel="web-krw", status=MessageStatus.SENT),
    ]


def test_lists_the_channels_messages_newest_first_with_every_field(messages, client):
    # when
    response = graphql(client, MESSAGES, token=staff())

    # then
    pks = [m.pk for m in messages]
    assert response.json() == {
        "data": {
            "campaignMessages": {
                "edges": [
                    {
                        "cursor": cursor(pks[4]),
                        "node": {
                            "kind": "ABANDONED_CHECKOUT",
                            "step": 1,
                            "subject": "chk-2",
                            "status": "CANCELLED",
                            "email": "c@example.com",
                            "dueAt": "2026-03-01T10:00:00+00:00",
                            "sentAt": None,
                            "attempts": 0,
                            "lastError": None,
                            "couponCode": None,
                        },
                    },
                    {
                        "cursor": cursor(pks[3]),
                        "node": {
                            "kind": "REVIEW_REQUEST",
                            "step": 1,
                            "subject": "order-4",
                            "status": "SENT",
                            "email": "b@example.com",
                            "dueAt": "2026-03-01T10:00:00+00:00",
                            "sentAt": "2026-03-01T11:00:00+00:00",
                            "attempts": 1,
                            "lastError": None,
                            "couponCode": None,
                        },
                    },
                    {
                        "cursor": cursor(pks[2]),
                        "node": {
                            "kind": "WIN_BACK",
                            "step": 1,
                            "subject": "cust-9",
                            "status": "SCHEDULED",
                            "email": None,
                            "dueAt": "2026-03-01T10:00:00+00:00",
                            "sentAt": None,
                            "attempts": 0,
                            "lastError": None,
                            "couponCode": None,
                        },
                    },
                    {
                        "cursor": cursor(pks[1]),
                        "node": {
                            "kind": "ABANDONED_CHECKOUT",
                            "step": 2,
                            "subject": "chk-1",
                            "status": "FAILED",
                            "email": "a@example.com",
                            "dueAt": "2026-03-01T11:00:00+00:00",
                            "sentAt": None,
                            "attempts": 3,
                            "lastError": "SMTP 451: try again later",
                            "couponCode": None,
                        },
                    },
                    {
                        "cursor": cursor(pks[0]),
                        "node": {
                            "kind": "ABANDONED_CHECKOUT",
                            "step": 1,
                            "subject": "chk-1",
                            "status": "SENT",
                            "email": "a@example.com",
                            "dueAt": "2026-03-01T10:00:00+00:00",
                            "sentAt": "2026-03-01T10:00:00+00:00",
                            "attempts": 1,
                            "lastError": None,
                            "couponCode": "BACK10",
                        },
                    },
                ],
                "pageInfo": {"hasNextPage": False, "endCursor": cursor(pks[0])},
            }
        }
    }


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        (
            {"kind": "ABANDONED_CHECKOUT"},
            [("chk-2", 1), ("chk-1", 2), ("chk-1", 1)],
        ),
        ({"kind": "WIN_BACK"}, [("cust-9", 1)]),
        ({"status": "SENT"}, [("order-4", 1), ("chk-1", 1)]),
        ({"kind": "ABANDONED_CHECKOUT", "status": "SENT"}, [("chk-1", 1)]),
        ({"kind": "REVIEW_REQUEST", "status": "FAILED"}, []),
    ],
)
def test_filters_by_kind_and_status(messages, client, variables, expected):
    # when
    response = graphql(client, SUBJECTS, variables, token=staff())

    # then
    assert subjects(response) == expected
    assert (
        response.json()["data"]["campaignMessages"]["pageInfo"]["hasNextPage"] is False
    )


def test_pages_across_two_pages_by_cursor(messages, client):
    # when: the first page of three
    first = graphql(client, SUBJECTS, {"first": 3}, token=staff())

    # then
    assert subjects(first) == [("chk-2", 1), ("order-4", 1), ("cust-9", 1)]
    info = first.json()["data"]["campaignMessages"]["pageInfo"]
    assert info == {"hasNextPage": True, "endCursor": cursor(messages[2].pk)}

    # when: the page after it
    second = graphql(
        client, SUBJECTS, {"first": 3, "after": info["endCursor"]}, token=staff()
    )

    # then: the rest of web-usd, and no further page
    assert subjects(second) == [("chk-1", 2), ("chk-1", 1)]
    assert second.json()["data"]["campaignMessages"]["pageInfo"] == {
        "hasNextPage": False,
        "endCursor": cursor(messages[0].pk),
    }


def test_another_channels_messages_are_not_visible(messages, client):
    # when
    krw = graphql(client, SUBJECTS, token=staff(), channel="web-krw")
    # a web-krw row's cursor used in web-usd reveals nothing of web-krw
    usd_after_krw = graphql(
        client, SUBJECTS, {"after": cursor(messages[5].pk)}, token=staff()
    )

    # then
    assert subjects(krw) == [("chk-krw", 1)]
    assert subjects(usd_after_krw) == [
        ("chk-2", 1),
        ("order-4", 1),
        ("cust-9", 1),
        ("chk-1", 2),
        ("chk-1", 1),
    ]


@pytest.mark.parametrize(
    "token",
    [
        pytest.param({}, id="anonymous"),
        pytest.param({"user_id": "7", "email": "a@example.com"}, id="customer"),
        pytest.param({"permissions": ["MANAGE_ORDERS"]}, id="staff-without-it"),
    ],
)
def test_needs_manage_users(messages, client, token):
    # when
    response = graphql(
        client,
        "{ campaignMessages { edges { cursor } } }",
        token=issue_token(**token) if token else "",
    )

    # then
    assert response.status_code == 200
    assert response.json() == {
        "data": {"campaignMessages": None},
        "errors": [
            error(
                "You need one of the following permissions: MANAGE_USERS",
                "PermissionDenied",
                ["campaignMessages"],
                1,
                3,
            )
        ],
    }


@pytest.mark.parametrize(
    "after",
    [
        "garbage!",
        base64.urlsafe_b64encode(b"journey:5").decode(),
        base64.urlsafe_b64encode(b"campaign_message:0").decode(),
        base64.urlsafe_b64encode(b"campaign_message:five").decode(),
    ],
)
def test_rejects_a_cursor_it_did_not_issue(messages, client, after):
    # when
    response = graphql(client, SUBJECTS, {"after": after}, token=staff())

    # then
    assert response.json() == {
        "data": {"campaignMessages": None},
        "errors": [
            error(
                "'after' is not a cursor this API returned.",
                "INVALID",
                ["campaignMessages"],
                5,
                3,
                field="after",
            )
        ],
    }


@pytest.mark.parametrize("first", [0, 101])
def test_page_size_must_be_1_to_100(messages, client, first):
    # when
    response = graphql(client, SUBJECTS, {"first": first}, token=staff())

    # then
    assert response.json() == {
        "data": {"campaignMessages": None},
        "errors": [
            error(
                f"'first' must be between 1 and 100, got {first}.",
                "INVALID",
                ["campaignMessages"],
                5,
                3,
                field="first",
            )
        ],
    }


def test_cost_counts_a_page_of_edges_once_per_message():
    # given
    document = parse(
        "{ campaignMessages(first: 100) { edges { cursor node { kind step } } } }"
    )

    # when
    cost = query_cost(schema, document.definitions[0], {}, {})

    # then: the field, and 100 edges of an edge, its cursor, its node, 2 fields
    assert cost == 1 + 100 * (1 + 1 + 1 + 2)
