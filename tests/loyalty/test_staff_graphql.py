"""Staff's loyalty tools through the example store's GraphQL endpoint:
customerLoyalty and adjustLoyaltyPoints."""

import pytest
from django.db import connection
from django.db.models import Q

from example_store.host import issue_token
from saleor_journey_plugin.core.erasure import erase_customer
from saleor_journey_plugin.core.processing import drain
from saleor_journey_plugin.graphql.paging import encode_cursor
from saleor_journey_plugin.loyalty import ledger
from saleor_journey_plugin.loyalty.models import LedgerEntry
from saleor_journey_plugin.models import Customer

from ..graphql.api import error, graphql
from ..reviews.test_graphql import review
from .conftest import CHANNEL, entries, loyalty_on
from .test_graphql import ANN, BOB, paid, registered

pytestmark = pytest.mark.django_db

# Adding points needs MANAGE_DISCOUNTS besides MANAGE_USERS.
PERMISSIONS = {"permissions": ["MANAGE_USERS", "MANAGE_DISCOUNTS"]}
STAFF = {"user_id": "501", "email": "Clerk@Example.com", **PERMISSIONS}
CUSTOMER_LOYALTY = """
query($email: String, $userId: String) {
  customerLoyalty(email: $email, userId: $userId) {
    balance tier pointsToNextTier expiringSoon
    history(first: 5) {
      edges { node { kind points orderId reason staffUserId staffEmail } }
    }
    reviews(first: 5) { edges { node { reviewId rating } } }
  }
}
"""
ADJUST = """
mutation(
  $email: String, $userId: String, $points: Int!, $reason: String!, $key: String
) {
  adjustLoyaltyPoints(
    email: $email, userId: $userId, points: $points, reason: $reason,
    idempotencyKey: $key
  ) {
    entry { kind points reason staffUserId staffEmail }
    balance
    errors { field code message }
  }
}
"""


BAD_REASON = (
    "The reason must be at most 500 characters, with no control characters "
    "other than line breaks and tabs."
)


def staff():
    return issue_token(**STAFF)


def ann_pk():
    return Customer.objects.get(user_id="7").pk


def adjust(client, token=None, **variables):
    response = graphql(client, ADJUST, variables, token=token or staff())
    assert response.status_code == 200
    return response.json()


def refused(field, code, message):
    return {
        "data": {
            "adjustLoyaltyPoints": {
                "entry": None,
                "balance": None,
                "errors": [{"field": field, "code": code, "message": message}],
            }
        }
    }


@pytest.fixture
def ann_with_points(enabled):
    """Ann: 600 points from an order, and a review; Bob: 700 and a review."""
    registered(ANN, BOB)
    paid("a1", "600.00", days_ago=5, **ANN)
    paid("b1", "700.00", days_ago=4, **BOB)
    review("rv-a", 5, customer_id=ann_pk())
    review("rv-b", 1, customer_id=Customer.objects.get(user_id="8").pk)


@pytest.mark.parametrize(
    "variables",
    [{"email": "ann@example.com"}, {"email": " ANN@example.com "}, {"userId": "7"}],
)
def test_staff_see_a_customers_loyalty_by_email_or_user_id(
    ann_with_points, client, variables
):
    # given: a staff adjustment of Ann's points
    ledger.adjust(
        CHANNEL, ann_pk(), -100, "returned gift", "501", "k1", staff_email="c@x.io"
    )

    # when
    response = graphql(client, CUSTOMER_LOYALTY, variables, token=staff())

    # then: Ann's standing, entries and reviews, none of Bob's
    assert response.json() == {
        "data": {
            "customerLoyalty": {
                "balance": 500,
                "tier": "Silver",
                "pointsToNextTier": 900,
                "expiringSoon": 0,
                "history": {
                    "edges": [
                        {
                            "node": {
                                "kind": "ADJUST",
                                "points": -100,
                                "orderId": None,
                                "reason": "returned gift",
                                "staffUserId": "501",
                                "staffEmail": "c@x.io",
                            }
                        },
                        {
                            "node": {
                                "kind": "EARN_ORDER",
                                "points": 600,
                                "orderId": "a1",
                                "reason": None,
                                "staffUserId": None,
                                "staffEmail": None,
                            }
                        },
                    ]
                },
                "reviews": {"edges": [{"node": {"reviewId": "rv-a", "rating": 5}}]},
            }
        }
    }


def test_a_customer_the_plugin_does_not_know_has_no_loyalty(ann_with_points, client):
    # when
    response = graphql(
        client, CUSTOMER_LOYALTY, {"email": "nobody@example.com"}, token=staff()
    )

    # then
    assert response.json() == {"data": {"customerLoyalty": None}}


@pytest.mark.parametrize("variables", [{}, {"email": "ann@example.com", "userId": "7"}])
def test_customer_loyalty_takes_exactly_one_of_email_and_user_id(
    ann_with_points, client, variables
):
    # when
    response = graphql(client, CUSTOMER_LOYALTY, variables, token=staff())

    # then
    assert response.json() == {
        "data": {"customerLoyalty": None},
        "errors": [
            error(
                "Give exactly one of 'email' and 'userId'.",
                "INVALID",
                ["customerLoyalty"],
                3,
                3,
                field="email",
            )
        ],
    }


def test_a_customers_review_cursor_pages_no_other_customers_reviews(
    ann_with_points, client
):
    # given: a cursor of Bob's review
    bobs = encode_cursor("review", Customer.objects.get(user_id="8").reviews.get().pk)
    query = """query($after: String) { customerLoyalty(email: "ann@example.com") {
      reviews(after: $after) { edges { node { reviewId } } } } }"""

    # when
    response = graphql(client, query, {"after": bobs}, token=staff())

    # then
    body = response.json()
    assert body["data"] == {"customerLoyalty": None}
    assert [e["extensions"] for e in body["errors"]] == [
        {"exception": {"code": "INVALID", "field": "after"}}
    ]


@pytest.mark.parametrize(
    "token",
    [
        pytest.param({}, id="anonymous"),
        pytest.param(ANN, id="customer"),
        pytest.param(
            {"user_id": "502", "permissions": ["MANAGE_ORDERS"]},
            id="staff-without-manage-users",
        ),
    ],
)
@pytest.mark.parametrize(
    ("query", "name"),
    [
        ('{ customerLoyalty(userId: "7") { balance } }', "customerLoyalty"),
        ('{ customerDataExport(userId: "7") }', "customerDataExport"),
        (
            'mutation { adjustLoyaltyPoints(userId: "7", points: 5, reason: "x") '
            "{ balance } }",
            "adjustLoyaltyPoints",
        ),
    ],
)
def test_staff_tools_need_manage_users(ann_with_points, client, token, query, name):
    # when
    response = graphql(client, query, token=issue_token(**token) if token else "")

    # then: an error, no data, and nothing written
    body = response.json()
    assert body["data"] == {name: None}
    assert [(e["message"], e["extensions"], e["path"]) for e in body["errors"]] == [
        (
            "You need one of the following permissions: MANAGE_USERS",
            {"exception": {"code": "PermissionDenied"}},
            [name],
        )
    ]
    assert entries() == [("earn_order", 600, 600, 0), ("earn_order", 700, 700, 0)]


def test_adjust_credits_points_and_records_the_staff_user(ann_with_points, client):
    # when
    answer = adjust(client, email="ann@example.com", points=25, reason="  late parcel ")

    # then
    assert answer == {
        "data": {
            "adjustLoyaltyPoints": {
                "entry": {
                    "kind": "ADJUST",
                    "points": 25,
                    "reason": "late parcel",
                    "staffUserId": "501",
                    "staffEmail": "clerk@example.com",
                },
                "balance": 625,
                "errors": [],
            }
        }
    }
    entry = LedgerEntry.objects.get(kind="adjust")
    assert (
        entry.customer_id,
        entry.channel,
        entry.points,
        entry.remaining,
        entry.reason,
        entry.staff_user_id,
        entry.staff_email,
    ) == (ann_pk(), CHANNEL, 25, 25, "late parcel", "501", "clerk@example.com")
    assert entry.idempotency_key.startswith(f"adjust:{CHANNEL}:")
    assert ledger.balance(CHANNEL, ann_pk()) == 625


def test_adjust_debits_down_to_zero_and_not_below(ann_with_points, client):
    # when
    taken = adjust(client, userId="7", points=-600, reason="order a1 was fraud")
    more = adjust(client, userId="7", points=-1, reason="one more")

    # then
    assert taken["data"]["adjustLoyaltyPoints"]["balance"] == 0
    assert taken["data"]["adjustLoyaltyPoints"]["errors"] == []
    assert more == refused(
        "points",
        "NOT_ENOUGH_POINTS",
        "The balance is 0 points; it cannot go below 0.",
    )
    assert entries(Customer.objects.get(user_id="7")) == [
        ("earn_order", 600, 0, 0),
        ("adjust", -600, 0, 0),
    ]


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        pytest.param(
            {"email": "ann@example.com", "points": -601, "reason": "too much"},
            refused(
                "points",
                "NOT_ENOUGH_POINTS",
                "The balance is 600 points; it cannot go below 0.",
            ),
            id="over-debit",
        ),
        pytest.param(
            {"email": "ann@example.com", "points": 10, "reason": " \n "},
            refused("reason", "REASON_REQUIRED", "Say why the points are adjusted."),
            id="blank-reason",
        ),
        pytest.param(
            {"email": "ann@example.com", "points": 10, "reason": "x" * 501},
            refused("reason", "INVALID_REASON", BAD_REASON),
            id="long-reason",
        ),
        pytest.param(
            {"email": "ann@example.com", "points": 10, "reason": "a\x00b"},
            refused("reason", "INVALID_REASON", BAD_REASON),
            id="nul-in-reason",
        ),
        pytest.param(
            {"email": "ann@example.com", "points": 0, "reason": "nothing"},
            refused(
                "points",
                "INVALID_POINTS",
                "Adjust by a non-zero number of points from -1000000 to 1000000, "
                "not 0.",
            ),
            id="zero",
        ),
        pytest.param(
            {"userId": "7", "points": 1_000_001, "reason": "a lot"},
            refused(
                "points",
                "INVALID_POINTS",
                "Adjust by a non-zero number of points from -1000000 to 1000000, "
                "not 1000001.",
            ),
            id="too-many",
        ),
        pytest.param(
            {"email": "ann@example.com", "userId": "7", "points": 5, "reason": "x"},
            refused("email", "INVALID", "Give exactly one of 'email' and 'userId'."),
            id="email-and-user-id",
        ),
        pytest.param(
            {"points": 5, "reason": "x"},
            refused("email", "INVALID", "Give exactly one of 'email' and 'userId'."),
            id="neither",
        ),
        pytest.param(
            {"email": "not-an-address", "points": 5, "reason": "x"},
            refused("email", "INVALID", "'email' is not a valid email address."),
            id="bad-email",
        ),
        pytest.param(
            {"userId": "7", "points": 5, "reason": "x", "key": "k" * 65},
            refused(
                "idempotencyKey",
                "INVALID",
                "'idempotencyKey' must be at most 64 characters, got 65.",
            ),
            id="long-key",
        ),
        pytest.param(
            {"email": "nobody@example.com", "points": 5, "reason": "x"},
            refused(
                "email",
                "NOT_FOUND",
                "No customer with this email or user id is known here.",
            ),
            id="unknown-email",
        ),
        pytest.param(
            {"userId": "999", "points": 5, "reason": "x"},
            refused(
                "userId",
                "NOT_FOUND",
                "No customer with this email or user id is known here.",
            ),
            id="unknown-user-id",
        ),
    ],
)
def test_a_refused_adjustment_changes_nothing(
    ann_with_points, client, variables, expected
):
    # when
    answer = adjust(client, **variables)

    # then
    assert answer == expected
    assert entries() == [("earn_order", 600, 600, 0), ("earn_order", 700, 700, 0)]
    assert ledger.balance(CHANNEL, ann_pk()) == 600


def test_adjust_is_refused_while_the_channel_has_loyalty_off(
    ann_with_points, client, settings
):
    # given
    loyalty_on(settings, loyalty_enabled="false")

    # when
    answer = adjust(client, userId="7", points=5, reason="goodwill")

    # then
    assert answer == refused(None, "LOYALTY_DISABLED", "Loyalty points are off here.")
    assert ledger.balance(CHANNEL, ann_pk()) == 600


def test_customer_loyalty_still_shows_balances_while_loyalty_is_off(
    ann_with_points, client, settings
):
    # given
    loyalty_on(settings, loyalty_enabled="false")

    # when
    response = graphql(
        client, '{ customerLoyalty(userId: "7") { balance } }', token=staff()
    )

    # then
    assert response.json() == {"data": {"customerLoyalty": {"balance": 600}}}


def test_a_retried_adjustment_with_its_key_changes_nothing(ann_with_points, client):
    # given
    request = {"userId": "7", "points": 40, "reason": "goodwill", "key": "req-1"}
    first = adjust(client, **request)

    # when: the client retries, then reuses the key for another amount
    again = adjust(client, **request)
    other = adjust(client, **{**request, "points": 41})

    # then
    assert first == again
    assert again["data"]["adjustLoyaltyPoints"]["balance"] == 640
    assert other == refused(
        "idempotencyKey",
        "IDEMPOTENCY_KEY_REUSED",
        "This key was used for another adjustment.",
    )
    assert LedgerEntry.objects.get(kind="adjust").idempotency_key == (
        f"adjust:{CHANNEL}:req-1"
    )
    assert ledger.balance(CHANNEL, ann_pk()) == 640


def test_without_a_key_each_adjustment_is_its_own(ann_with_points, client):
    # when
    for _ in range(2):
        adjust(client, userId="7", points=10, reason="goodwill")

    # then
    assert ledger.balance(CHANNEL, ann_pk()) == 620
    assert LedgerEntry.objects.filter(kind="adjust").count() == 2


def test_a_deleted_staff_members_adjustments_no_longer_name_them(
    ann_with_points, client
):
    # given: the clerk's adjustment, and another's
    adjust(client, userId="7", points=5, reason="goodwill")
    other = issue_token(user_id="600", email="boss@example.com", **PERMISSIONS)
    adjust(client, other, userId="7", points=7, reason="more goodwill")

    # when: the clerk's own account is deleted
    erase_customer(user_id="501", email="clerk@example.com")

    # then: the adjustments stay, the clerk's name goes
    assert list(
        LedgerEntry.objects.filter(kind="adjust")
        .order_by("points")
        .values_list("points", "reason", "staff_user_id", "staff_email")
    ) == [
        (5, "goodwill", "", ""),
        (7, "more goodwill", "600", "boss@example.com"),
    ]
    assert ledger.balance(CHANNEL, ann_pk()) == 612


def test_erasure_finds_a_staff_members_adjustments_through_indexes(db):
    # given: the planner told that a sequential scan is a last resort
    made = LedgerEntry.objects.filter(
        Q(staff_user_id="501") | Q(staff_email="clerk@example.com"), kind="adjust"
    )

    # when
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = made.explain()

    # then
    assert "journey_loyalty_adjusted_by" in plan
    assert "journey_loyalty_adjusted_email" in plan
    assert "Seq Scan" not in plan


# Credits mint money: they need MANAGE_DISCOUNTS too, and never for oneself.

USERS_ONLY = {**STAFF, "permissions": ["MANAGE_USERS"]}
TRACK = """
mutation($input: JourneyTrackInput!) { trackJourneyEvent(input: $input) { recorded } }
"""


def adjustments():
    return list(
        LedgerEntry.objects.filter(kind="adjust").values_list("customer_id", "points")
    )


def test_a_credit_needs_manage_discounts_besides_manage_users(ann_with_points, client):
    # when: a clerk with MANAGE_USERS only credits Ann, then debits her
    clerk = issue_token(**USERS_ONLY)
    credit = adjust(client, clerk, userId="7", points=1_000_000, reason="thanks")
    debit = adjust(client, clerk, userId="7", points=-100, reason="returned gift")

    # then: the credit is refused and writes nothing; the debit is taken
    assert credit["data"] == {"adjustLoyaltyPoints": None}
    assert [(e["message"], e["extensions"]) for e in credit["errors"]] == [
        (
            "Adding points needs all of the following permissions: "
            "MANAGE_USERS, MANAGE_DISCOUNTS",
            {"exception": {"code": "PermissionDenied"}},
        )
    ]
    assert debit["data"]["adjustLoyaltyPoints"]["errors"] == []
    assert adjustments() == [(ann_pk(), -100)]
    assert ledger.balance(CHANNEL, ann_pk()) == 500


def track_visit(client, token="", **who):
    response = graphql(
        client,
        TRACK,
        {"input": {"eventType": "VISIT", "eventId": "visit-1", **who}},
        token=token,
    )
    assert response.json() == {"data": {"trackJourneyEvent": {"recorded": True}}}
    drain()


OWN = ("OWN_ACCOUNT", "Staff cannot add points to their own account.")
# Staff lookups by email never answer a visitor (its address is only typed).
UNKNOWN = ("NOT_FOUND", "No customer with this email or user id is known here.")


@pytest.mark.parametrize(
    ("own_record", "named", "refusal"),
    [
        pytest.param("account", {"userId": "501"}, OWN, id="her-account-by-user-id"),
        pytest.param(
            "guest", {"email": "clerk@example.com"}, OWN, id="a-guest-with-her-email"
        ),
        pytest.param(
            "visitor",
            {"email": " CLERK@example.com"},
            UNKNOWN,
            id="a-visitor-who-typed-her-email",
        ),
    ],
)
def test_staff_cannot_credit_their_own_records(
    ann_with_points, client, own_record, named, refusal
):
    # given: the clerk, with both permissions, has a record of her own: her
    # signed-in visit, a guest order with her address, or a visit where she
    # typed it
    clerk = staff()
    if own_record == "account":
        track_visit(client, clerk)
    elif own_record == "guest":
        paid("g1", "10.00", days_ago=1, email="clerk@example.com")
    else:
        track_visit(client, visitorId="visitor-clerk", email="clerk@example.com")

    # when: she gives that record a million points, and tries to spend them
    answer = adjust(client, clerk, points=1_000_000, reason="bonus", **named)

    # then: refused, and nothing written
    field = "userId" if "userId" in named else "email"
    assert answer == refused(field, *refusal)
    assert adjustments() == []


def test_staff_with_both_permissions_credit_a_customer(ann_with_points, client):
    # when
    answer = adjust(client, userId="7", points=25, reason="late parcel")

    # then
    assert answer["data"]["adjustLoyaltyPoints"]["errors"] == []
    assert adjustments() == [(ann_pk(), 25)]
    entry = LedgerEntry.objects.get(kind="adjust")
    assert (entry.reason, entry.staff_user_id, entry.staff_email) == (
        "late parcel",
        "501",
        "clerk@example.com",
    )
