"""A journey through the API: ``myJourney``, ``customerJourney``, ``customers``
and ``stageDistribution``, as storefronts and staff call them."""

import base64

import pytest

from example_store.host import issue_token
from saleor_journey_plugin.core.events import EventType as E
from saleor_journey_plugin.core.events import Source, TouchChannel
from saleor_journey_plugin.models import Journey

from ..seed import seed
from .api import CUSTOMER_JOURNEY, STAFF, error, graphql

MY_JOURNEY = """
query {
  myJourney {
    channel
    customer { userId email }
    stage
    stageLabel
    stageLabelKo: stageLabel(language: KO)
    stageEnteredAt
    paidOrders
    history {
      fromStage toStage toStageLabel occurredAt cause { eventType } winBack
    }
    touchpoints {
      eventType occurredAt stage stageLabel touchChannel
      utmSource utmMedium utmCampaign referrer searchTerm isPainPoint emotion
    }
    latest: touchpoints(first: 2) { eventType occurredAt }
    painPoints { eventType occurredAt stage isPainPoint emotion }
  }
}
"""
CUSTOMERS = """
query($stage: JourneyStage, $first: Int, $after: String) {
  customers(stage: $stage, first: $first, after: $after) {
    edges { cursor node { customer { email } stage } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
STAGE_DISTRIBUTION = """
query($language: JourneyLanguage) {
  stageDistribution(language: $language) {
    preset total
    stages { stage label count }
    columns { label stages count }
  }
}
"""


def cursor(journey_pk):
    return base64.urlsafe_b64encode(f"journey:{journey_pk}".encode()).decode()


def journey_pk(email, channel="web-usd"):
    return Journey.objects.get(customer__email=email, channel=channel).pk


def touchpoint(event_type, occurred_at, stage, label, **fields):
    return {
        "eventType": event_type,
        "occurredAt": occurred_at,
        "stage": stage,
        "stageLabel": label,
        "touchChannel": fields.get("touchChannel", "WEB"),
        "utmSource": fields.get("utmSource", ""),
        "utmMedium": fields.get("utmMedium", ""),
        "utmCampaign": fields.get("utmCampaign", ""),
        "referrer": fields.get("referrer", ""),
        "searchTerm": fields.get("searchTerm", ""),
        "isPainPoint": fields.get("isPainPoint", False),
        "emotion": fields.get("emotion"),
    }


# myJourney


def test_my_journey_shows_stage_history_touchpoints_and_pain_points(db, client):
    # given: ann's journey in web-usd (standard preset, English), and a visit in web-krw
    ann = {"user_id": "42", "email": "ann@example.com"}
    google = Source(
        utm_source="google",
        utm_medium="cpc",
        utm_campaign="spring-sale",
        referrer="https://www.google.com/",
        search_term="linen shirt",
    )
    seed(E.VISIT, "visit:1", **ann, days=0, source=google)
    seed(E.PRODUCT_VIEWED, "view:1", **ann, days=1, touch=TouchChannel.APP)
    seed(E.CHECKOUT_ABANDONED, "checkout:1:abandoned", **ann, days=2)
    seed(E.ORDER_PLACED, "order:1:placed", **ann, days=3)
    seed(E.ORDER_PAID, "order:1:paid", **ann, days=3.25, touch=TouchChannel.API)
    seed(E.VISIT, "visit:krw", **ann, days=4, channel="web-krw")
    seed(E.REVIEW_SUBMITTED, "review:1", **ann, days=5, payload={"rating": 3})
    seed(E.REVIEW_SUBMITTED, "review:2", **ann, days=6, payload={"rating": 1})

    # when
    response = graphql(client, MY_JOURNEY, token=issue_token(**ann))

    # then
    assert response.status_code == 200
    assert response.json() == {
        "data": {
            "myJourney": {
                "channel": "web-usd",
                "customer": {"userId": "42", "email": ""},  # no account fact gave one,
                "stage": "PURCHASE",
                "stageLabel": "Purchase",
                "stageLabelKo": "구매",
                "stageEnteredAt": "2026-03-04T09:00:00+00:00",
                "paidOrders": 1,
                "history": [
                    {
                        "fromStage": None,
                        "toStage": "AWARENESS",
                        "toStageLabel": "Awareness",
                        "occurredAt": "2026-03-01T09:00:00+00:00",
                        "cause": {"eventType": "VISIT"},
                        "winBack": False,
                    },
                    {
                        "fromStage": "AWARENESS",
                        "toStage": "INTEREST",
                        "toStageLabel": "Interest",
                        "occurredAt": "2026-03-02T09:00:00+00:00",
                        "cause": {"eventType": "PRODUCT_VIEWED"},
                        "winBack": False,
                    },
                    {
                        "fromStage": "INTEREST",
                        "toStage": "PURCHASE",
                        "toStageLabel": "Purchase",
                        "occurredAt": "2026-03-04T09:00:00+00:00",
                        "cause": {"eventType": "ORDER_PLACED"},
                        "winBack": False,
                    },
                ],
                "touchpoints": [
                    touchpoint(
                        "REVIEW_SUBMITTED",
                        "2026-03-07T09:00:00+00:00",
                        "PURCHASE",
                        "Purchase",
                        isPainPoint=True,
                        emotion="NEGATIVE",
                    ),
                    touchpoint(
                        "REVIEW_SUBMITTED",
                        "2026-03-06T09:00:00+00:00",
                        "PURCHASE",
                        "Purchase",
                        emotion="NEUTRAL",
                    ),
                    touchpoint(
                        "ORDER_PAID",
                        "2026-03-04T15:00:00+00:00",
                        "PURCHASE",
                        "Purchase",
                        touchChannel="API",
                    ),
                    touchpoint(
                        "ORDER_PLACED",
                        "2026-03-04T09:00:00+00:00",
                        "PURCHASE",
                        "Purchase",
                    ),
                    touchpoint(
                        "CHECKOUT_ABANDONED",
                        "2026-03-03T09:00:00+00:00",
                        "INTEREST",
                        "Interest",
                        isPainPoint=True,
                        emotion="NEGATIVE",
                    ),
                    touchpoint(
                        "PRODUCT_VIEWED",
                        "2026-03-02T09:00:00+00:00",
                        "INTEREST",
                        "Interest",
                        touchChannel="APP",
                    ),
                    touchpoint(
                        "VISIT",
                        "2026-03-01T09:00:00+00:00",
                        "AWARENESS",
                        "Awareness",
                        utmSource="google",
                        utmMedium="cpc",
                        utmCampaign="spring-sale",
                        referrer="https://www.google.com/",
                        searchTerm="linen shirt",
                    ),
                ],
                "latest": [
                    {
                        "eventType": "REVIEW_SUBMITTED",
                        "occurredAt": "2026-03-07T09:00:00+00:00",
                    },
                    {
                        "eventType": "REVIEW_SUBMITTED",
                        "occurredAt": "2026-03-06T09:00:00+00:00",
                    },
                ],
                "painPoints": [
                    {
                        "eventType": "REVIEW_SUBMITTED",
                        "occurredAt": "2026-03-07T09:00:00+00:00",
                        "stage": "PURCHASE",
                        "isPainPoint": True,
                        "emotion": "NEGATIVE",
                    },
                    {
                        "eventType": "CHECKOUT_ABANDONED",
                        "occurredAt": "2026-03-03T09:00:00+00:00",
                        "stage": "INTEREST",
                        "isPainPoint": True,
                        "emotion": "NEGATIVE",
                    },
                ],
            }
        }
    }


def test_my_journey_labels_follow_the_channels_preset_and_language(db, client):
    # given: web-krw uses the five_stage preset in Korean
    min_ = {"user_id": "7", "email": "min@example.com", "channel": "web-krw"}
    seed(E.VISIT, "visit:1", **min_, days=0)
    seed(E.PRODUCT_VIEWED, "view:1", **min_, days=1)
    seed(E.CHECKOUT_DETAILS_ADDED, "checkout:1:details", **min_, days=2)
    query = """
    query {
      myJourney {
        channel stage stageLabel
        english: stageLabel(language: EN)
        history { fromStage toStage toStageLabel }
        touchpoints(first: 1) { eventType stageLabel english: stageLabel(language: EN) }
      }
    }
    """

    # when
    response = graphql(client, query, token=issue_token(user_id="7"), channel="web-krw")

    # then
    assert response.status_code == 200
    assert response.json() == {
        "data": {
            "myJourney": {
                "channel": "web-krw",
                "stage": "CONSIDERATION",
                "stageLabel": "관심",
                "english": "Interest",
                "history": [
                    {"fromStage": None, "toStage": "AWARENESS", "toStageLabel": "인지"},
                    {
                        "fromStage": "AWARENESS",
                        "toStage": "INTEREST",
                        "toStageLabel": "관심",
                    },
                    {
                        "fromStage": "INTEREST",
                        "toStage": "CONSIDERATION",
                        "toStageLabel": "관심",
                    },
                ],
                "touchpoints": [
                    {
                        "eventType": "CHECKOUT_DETAILS_ADDED",
                        "stageLabel": "관심",
                        "english": "Interest",
                    }
                ],
            }
        }
    }


def test_my_journey_history_marks_the_win_back_after_a_lapse(store, client):
    # given: a paid order, a lapse 91 days later, then a repeat order
    bo = {"user_id": "9", "email": "bo@example.com"}
    store.event(E.ORDER_PLACED, "order:1:placed", **bo)
    store.event(E.ORDER_PAID, "order:1:paid", **bo)
    store.event(E.LAPSE_DETECTED, "lapse:1", **bo, days=91)
    store.event(E.ORDER_PLACED, "order:2:placed", **bo, days=10)
    query = """
    query {
      myJourney {
        stage stageLabel
        history {
          fromStage toStage toStageLabel occurredAt cause { eventType } winBack
        }
      }
    }
    """

    # when
    response = graphql(client, query, token=issue_token(user_id="9"))

    # then
    assert response.json() == {
        "data": {
            "myJourney": {
                "stage": "LOYALTY",
                "stageLabel": "Loyalty",
                "history": [
                    {
                        "fromStage": None,
                        "toStage": "PURCHASE",
                        "toStageLabel": "Purchase",
                        "occurredAt": "2026-03-01T09:00:00+00:00",
                        "cause": {"eventType": "ORDER_PLACED"},
                        "winBack": False,
                    },
                    {
                        "fromStage": "PURCHASE",
                        "toStage": "LAPSED",
                        "toStageLabel": "At risk",
                        "occurredAt": "2026-05-31T09:00:00+00:00",
                        "cause": {"eventType": "LAPSE_DETECTED"},
                        "winBack": False,
                    },
                    {
                        "fromStage": "LAPSED",
                        "toStage": "LOYALTY",
                        "toStageLabel": "Loyalty",
                        "occurredAt": "2026-06-10T09:00:00+00:00",
                        "cause": {"eventType": "ORDER_PLACED"},
                        "winBack": True,
                    },
                ],
            }
        }
    }


def test_my_journey_is_null_without_error_before_any_event(db, client):
    # when
    response = graphql(
        client, "{ myJourney { stage } }", token=issue_token(user_id="1")
    )

    # then
    assert response.json() == {"data": {"myJourney": None}}


# Who may read what


def test_customer_reads_only_their_own_journey(store, client):
    # given
    store.event(E.PRODUCT_VIEWED, "view:a", user_id="1", email="a@example.com")
    store.event(E.ORDER_PLACED, "order:b", user_id="2", email="b@example.com")
    query = """{
      myJourney { customer { userId email } stage }
      customerJourney(userId: "2") { customer { userId email } stage }
    }"""

    # when: customer A asks for their own journey and for B's
    response = graphql(
        client, query, token=issue_token(user_id="1", email="a@example.com")
    )

    # then
    assert response.status_code == 200
    assert response.json() == {
        "data": {
            "myJourney": {
                "customer": {"userId": "1", "email": ""},
                "stage": "INTEREST",
            },
            "customerJourney": None,
        },
        "errors": [
            error(
                "You need one of the following permissions: MANAGE_USERS",
                "PermissionDenied",
                ["customerJourney"],
                3,
                7,
            )
        ],
    }


def test_anonymous_caller_has_no_journey(store, client):
    # given
    store.event(E.ORDER_PLACED, "order:1", user_id="1", email="a@example.com")

    # when
    response = graphql(client, "{ myJourney { stage } }")

    # then
    assert response.status_code == 200
    assert response.json() == {
        "data": {"myJourney": None},
        "errors": [
            error(
                "You need to be signed in as a customer to see a journey.",
                "PermissionDenied",
                ["myJourney"],
                1,
                3,
            )
        ],
    }


def test_staff_without_a_customer_account_has_no_journey_of_their_own(db, client):
    # when
    response = graphql(client, "{ myJourney { stage } }", token=issue_token(**STAFF))

    # then
    assert response.json() == {
        "data": {"myJourney": None},
        "errors": [
            error(
                "You need to be signed in as a customer to see a journey.",
                "PermissionDenied",
                ["myJourney"],
                1,
                3,
            )
        ],
    }


@pytest.mark.parametrize(
    ("field", "query"),
    [
        ("customerJourney", '{ customerJourney(userId: "1") { stage } }'),
        ("customers", "{ customers { edges { cursor } } }"),
        ("stageDistribution", "{ stageDistribution { total } }"),
    ],
)
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
def test_staff_queries_need_manage_users(store, client, field, query, token):
    # given
    store.event(E.ORDER_PLACED, "order:1", user_id="1", email="a@example.com")

    # when
    response = graphql(client, query, token=issue_token(**token) if token else "")

    # then
    assert response.status_code == 200
    assert response.json() == {
        "data": {field: None},
        "errors": [
            error(
                "You need one of the following permissions: MANAGE_USERS",
                "PermissionDenied",
                [field],
                1,
                3,
            )
        ],
    }


# customerJourney


def test_customer_journey_finds_a_guest_by_email_case_insensitively(store, client):
    # given
    store.event(E.ORDER_PLACED, "order:1:placed", email="Guest@Example.com")
    store.event(E.ORDER_PAID, "order:1:paid", email="guest@example.com")

    # when
    response = graphql(
        client,
        CUSTOMER_JOURNEY,
        {"email": "  GUEST@example.COM "},
        token=issue_token(**STAFF),
    )

    # then
    assert response.json() == {
        "data": {
            "customerJourney": {
                "customer": {"userId": None, "email": "guest@example.com"},
                "stage": "PURCHASE",
                "stageLabel": "Purchase",
                "paidOrders": 1,
            }
        }
    }


def test_customer_journey_finds_a_user_by_id_in_the_requested_channel(store, client):
    # given
    store.event(E.PRODUCT_VIEWED, "view:1", user_id="5", email="eve@example.com")
    store.event(
        E.ORDER_PLACED,
        "order:1",
        user_id="5",
        email="eve@example.com",
        channel="web-krw",
    )

    # when
    usd = graphql(client, CUSTOMER_JOURNEY, {"userId": "5"}, token=issue_token(**STAFF))
    krw = graphql(
        client,
        CUSTOMER_JOURNEY,
        {"userId": "5"},
        token=issue_token(**STAFF),
        channel="web-krw",
    )

    # then
    assert usd.json() == {
        "data": {
            "customerJourney": {
                "customer": {"userId": "5", "email": ""},
                "stage": "INTEREST",
                "stageLabel": "Interest",
                "paidOrders": 0,
            }
        }
    }
    assert krw.json() == {
        "data": {
            "customerJourney": {
                "customer": {"userId": "5", "email": ""},
                "stage": "PURCHASE",
                "stageLabel": "구매",
                "paidOrders": 0,
            }
        }
    }


def test_customer_journey_of_an_unknown_customer_is_null(db, client):
    # when
    response = graphql(
        client,
        CUSTOMER_JOURNEY,
        {"email": "nobody@example.com"},
        token=issue_token(**STAFF),
    )

    # then
    assert response.json() == {"data": {"customerJourney": None}}


@pytest.mark.parametrize(
    "variables",
    [
        pytest.param({"email": "a@example.com", "userId": "1"}, id="both"),
        pytest.param({}, id="neither"),
    ],
)
def test_customer_journey_needs_exactly_one_of_email_and_user_id(
    store, client, variables
):
    # given
    store.event(E.ORDER_PLACED, "order:1", user_id="1", email="a@example.com")

    # when
    response = graphql(client, CUSTOMER_JOURNEY, variables, token=issue_token(**STAFF))

    # then
    assert response.status_code == 200
    assert response.json() == {
        "data": {"customerJourney": None},
        "errors": [
            error(
                "Give exactly one of 'email' and 'userId'.",
                "INVALID",
                ["customerJourney"],
                3,
                3,
                field="email",
            )
        ],
    }


# customers


@pytest.fixture
def shoppers(store):
    """Four PURCHASE journeys and one INTEREST in web-usd, one PURCHASE in web-krw."""
    store.event(E.ORDER_PLACED, "order:1", email="c1@example.com")
    store.event(E.PRODUCT_VIEWED, "view:2", email="c2@example.com")
    store.event(E.ORDER_PLACED, "order:3", email="c3@example.com")
    store.event(E.ORDER_PLACED, "order:5", email="c5@example.com", channel="web-krw")
    store.event(E.ORDER_PLACED, "order:4", email="c4@example.com")
    store.event(E.ORDER_PLACED, "order:6", email="c6@example.com")


def edge(email, stage="PURCHASE"):
    return {
        "cursor": cursor(journey_pk(email)),
        "node": {"customer": {"email": email}, "stage": stage},
    }


def test_customers_in_a_stage_page_by_cursor(shoppers, client):
    # given
    token = issue_token(**STAFF)

    # when
    first = graphql(client, CUSTOMERS, {"stage": "PURCHASE", "first": 2}, token=token)
    after = first.json()["data"]["customers"]["pageInfo"]["endCursor"]
    second = graphql(
        client,
        CUSTOMERS,
        {"stage": "PURCHASE", "first": 2, "after": after},
        token=token,
    )

    # then
    assert first.json() == {
        "data": {
            "customers": {
                "edges": [edge("c1@example.com"), edge("c3@example.com")],
                "pageInfo": {
                    "hasNextPage": True,
                    "endCursor": cursor(journey_pk("c3@example.com")),
                },
            }
        }
    }
    assert second.json() == {
        "data": {
            "customers": {
                "edges": [edge("c4@example.com"), edge("c6@example.com")],
                "pageInfo": {
                    "hasNextPage": False,
                    "endCursor": cursor(journey_pk("c6@example.com")),
                },
            }
        }
    }


def test_customers_without_a_stage_lists_the_whole_channel(shoppers, client):
    # when
    response = graphql(client, CUSTOMERS, {}, token=issue_token(**STAFF))

    # then
    assert response.json() == {
        "data": {
            "customers": {
                "edges": [
                    edge("c1@example.com"),
                    edge("c2@example.com", "INTEREST"),
                    edge("c3@example.com"),
                    edge("c4@example.com"),
                    edge("c6@example.com"),
                ],
                "pageInfo": {
                    "hasNextPage": False,
                    "endCursor": cursor(journey_pk("c6@example.com")),
                },
            }
        }
    }


def test_customers_page_past_the_end_is_empty(shoppers, client):
    # when
    response = graphql(
        client,
        CUSTOMERS,
        {"stage": "LOYALTY", "first": 5},
        token=issue_token(**STAFF),
    )

    # then
    assert response.json() == {
        "data": {
            "customers": {
                "edges": [],
                "pageInfo": {"hasNextPage": False, "endCursor": None},
            }
        }
    }


@pytest.mark.parametrize("first", [0, 101, -1])
def test_customers_page_size_must_be_1_to_100(shoppers, client, first):
    # when
    response = graphql(client, CUSTOMERS, {"first": first}, token=issue_token(**STAFF))

    # then
    assert response.status_code == 200
    assert response.json() == {
        "data": {"customers": None},
        "errors": [
            error(
                f"'first' must be between 1 and 100, got {first}.",
                "INVALID",
                ["customers"],
                3,
                3,
                field="first",
            )
        ],
    }


@pytest.mark.parametrize(
    "after",
    [
        "garbage!",
        "not-a-cursor",
        base64.urlsafe_b64encode(b"order:5").decode(),
        base64.urlsafe_b64encode(b"journey:five").decode(),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    ],
)
def test_customers_rejects_a_cursor_it_did_not_issue(shoppers, client, after):
    # when
    response = graphql(client, CUSTOMERS, {"after": after}, token=issue_token(**STAFF))

    # then
    assert response.json() == {
        "data": {"customers": None},
        "errors": [
            error(
                "'after' is not a cursor this API returned.",
                "INVALID",
                ["customers"],
                3,
                3,
                field="after",
            )
        ],
    }


# stageDistribution


def test_stage_distribution_counts_each_stage_and_standard_column(store, client):
    # given: web-usd journeys in five stages, and one in web-krw that is not counted
    store.event(E.VISIT, "visit:1", email="a@example.com")
    store.event(E.PRODUCT_VIEWED, "view:2", email="b@example.com")
    store.event(E.CHECKOUT_STARTED, "checkout:3", email="c@example.com")
    store.event(E.DELIVERY_METHOD_CHOSEN, "delivery:4", email="d@example.com")
    store.event(E.ORDER_PLACED, "order:5", email="e@example.com")
    store.event(E.ORDER_PLACED, "order:6", email="f@example.com")
    store.event(E.LAPSE_DETECTED, "lapse:6", email="f@example.com", days=91)
    store.event(E.ORDER_PLACED, "order:7", email="g@example.com", channel="web-krw")

    # when
    response = graphql(client, STAGE_DISTRIBUTION, token=issue_token(**STAFF))

    # then
    assert response.json() == {
        "data": {
            "stageDistribution": {
                "preset": "standard",
                "total": 6,
                "stages": [
                    {"stage": "AWARENESS", "label": "Awareness", "count": 1},
                    {"stage": "INTEREST", "label": "Interest", "count": 2},
                    {"stage": "CONSIDERATION", "label": "Consideration", "count": 1},
                    {"stage": "PURCHASE", "label": "Purchase", "count": 1},
                    {"stage": "RETENTION", "label": "Retention", "count": 0},
                    {"stage": "LOYALTY", "label": "Loyalty", "count": 0},
                    {"stage": "LAPSED", "label": "At risk", "count": 1},
                ],
                "columns": [
                    {"label": "Awareness", "stages": ["AWARENESS"], "count": 1},
                    {"label": "Interest", "stages": ["INTEREST"], "count": 2},
                    {"label": "Consideration", "stages": ["CONSIDERATION"], "count": 1},
                    {"label": "Purchase", "stages": ["PURCHASE"], "count": 1},
                    {"label": "Retention", "stages": ["RETENTION"], "count": 0},
                    {"label": "Loyalty", "stages": ["LOYALTY"], "count": 0},
                    {"label": "At risk", "stages": ["LAPSED"], "count": 1},
                ],
            }
        }
    }


@pytest.fixture
def krw_shoppers(store):
    """web-krw: one AWARENESS, one INTEREST, two CONSIDERATION, one PURCHASE."""
    for n, event_type in enumerate(
        [
            E.NEWSLETTER_OPT_IN,
            E.PRODUCT_VIEWED,
            E.CHECKOUT_DETAILS_ADDED,
            E.DELIVERY_METHOD_CHOSEN,
            E.ORDER_PLACED,
        ]
    ):
        store.event(
            event_type, f"krw:{n}", email=f"k{n}@example.com", channel="web-krw"
        )
    store.event(E.VISIT, "usd:1", email="u@example.com")


def test_stage_distribution_groups_five_stage_columns_in_korean(krw_shoppers, client):
    # when
    response = graphql(
        client, STAGE_DISTRIBUTION, token=issue_token(**STAFF), channel="web-krw"
    )

    # then
    assert response.json() == {
        "data": {
            "stageDistribution": {
                "preset": "five_stage",
                "total": 5,
                "stages": [
                    {"stage": "AWARENESS", "label": "인지", "count": 1},
                    {"stage": "INTEREST", "label": "관심", "count": 1},
                    {"stage": "CONSIDERATION", "label": "관심", "count": 2},
                    {"stage": "PURCHASE", "label": "구매", "count": 1},
                    {"stage": "RETENTION", "label": "경험", "count": 0},
                    {"stage": "LOYALTY", "label": "충성", "count": 0},
                    {"stage": "LAPSED", "label": "이탈 위험", "count": 0},
                ],
                "columns": [
                    {"label": "인지", "stages": ["AWARENESS"], "count": 1},
                    {
                        "label": "관심",
                        "stages": ["INTEREST", "CONSIDERATION"],
                        "count": 3,
                    },
                    {"label": "구매", "stages": ["PURCHASE"], "count": 1},
                    {"label": "경험", "stages": ["RETENTION"], "count": 0},
                    {"label": "충성", "stages": ["LOYALTY"], "count": 0},
                    {"label": "이탈 위험", "stages": ["LAPSED"], "count": 0},
                ],
            }
        }
    }


def test_stage_distribution_language_overrides_the_channels(krw_shoppers, client):
    # when
    response = graphql(
        client,
        "{ stageDistribution(language: EN) { columns { label count } } }",
        token=issue_token(**STAFF),
        channel="web-krw",
    )

    # then
    assert response.json() == {
        "data": {
            "stageDistribution": {
                "columns": [
                    {"label": "Awareness", "count": 1},
                    {"label": "Interest", "count": 3},
                    {"label": "Purchase", "count": 1},
                    {"label": "Experience", "count": 0},
                    {"label": "Loyalty", "count": 0},
                    {"label": "At risk", "count": 0},
                ]
            }
        }
    }
