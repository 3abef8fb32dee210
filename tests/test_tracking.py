"""trackJourneyEvent: what storefronts report, and what anonymous callers cannot do."""

import logging
import time

import pytest
from django.core.cache import cache

from example_store.host import issue_token
from saleor_journey_plugin.core.events import EventType as E
from saleor_journey_plugin.core.processing import drain, process_event
from saleor_journey_plugin.core.recording import stored_key
from saleor_journey_plugin.models import Customer, Journey, JourneyEvent

from .graphql.api import STAFF, error, graphql
from .seed import seed

TRACK = """
mutation($input: JourneyTrackInput!) {
  trackJourneyEvent(input: $input) { recorded pendingConfirmation }
}
"""
VISITOR = "0b7c6f5e-visitor-ann"
OTHER_VISITOR = "9d2e4a1c-visitor-eve"
RECORDED = {
    "data": {"trackJourneyEvent": {"recorded": True, "pendingConfirmation": False}}
}
NOT_AGAIN = {
    "data": {"trackJourneyEvent": {"recorded": False, "pendingConfirmation": False}}
}


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def refused(message, field, code="INVALID"):
    return {
        "data": {"trackJourneyEvent": None},
        "errors": [error(message, code, ["trackJourneyEvent"], 3, 3, field=field)],
    }


def history(email):
    journey = Journey.objects.get(
        customer__email=email, customer__user_id__isnull=False, channel="web-usd"
    )
    return list(
        journey.transitions.order_by("occurred_at", "id").values_list(
            "from_stage", "to_stage", "event__type"
        )
    )


@pytest.fixture
def ann(db):
    """A registered customer who created her account and looked at one product."""
    seed(
        E.ACCOUNT_CREATED,
        "user:42:created",
        days=0,
        user_id="42",
        email="ann@example.com",
        channel="",
    )
    seed(E.VISIT, "visit:1", days=1, user_id="42", email="ann@example.com")
    return {"user_id": "42", "email": "ann@example.com"}


# Anonymous visitors


def test_anonymous_visit_is_recorded_on_its_visitor_and_reaches_awareness(
    db, client, django_capture_on_commit_callbacks
):
    # given
    visit = {
        "eventType": "VISIT",
        "eventId": "visit-3f2a",
        "visitorId": VISITOR,
        "email": " Visitor@Example.com ",
        "utmSource": "instagram",
        "utmMedium": "social",
        "utmCampaign": "launch",
        "referrer": "https://instagram.com/",
        "searchTerm": "wool socks",
    }

    # when
    with django_capture_on_commit_callbacks() as queued:
        response = graphql(client, TRACK, {"input": visit})

    # then: the event is logged under a key that names nobody, and queued
    assert response.status_code == 200
    assert response.json() == RECORDED
    assert len(queued) == 1
    event = JourneyEvent.objects.get()
    assert (
        event.idempotency_key,
        event.type,
        event.channel,
        event.user_id,
        event.visitor_id,
        event.email,
        event.touch_channel,
        event.payload,
        event.processed_at,
    ) == (
        stored_key(f"track:web-usd:visitor:{VISITOR}:visit-3f2a"),
        "VISIT",
        "web-usd",
        "",
        VISITOR,
        "visitor@example.com",
        "WEB",
        {},
        None,
    )
    assert len(event.idempotency_key) == 64
    assert "visitor" not in event.idempotency_key

    # when: the worker processes it
    assert process_event(event.pk)

    # then: the visitor is a customer of its own, with the address it typed
    visitor = Customer.objects.get()
    assert (visitor.user_id, visitor.visitor_id, visitor.email) == (
        None,
        VISITOR,
        "visitor@example.com",
    )
    journey = graphql(
        client,
        """query {
          customerJourney(email: "visitor@example.com") {
            stage touchpoints { eventType stage utmSource referrer searchTerm }
          }
        }""",
        token=issue_token(**STAFF),
    )
    # staff find customers by an address an account or a guest holds; a
    # visitor's is only typed, so staff do not find the visitor by it
    assert journey.json() == {"data": {"customerJourney": None}}
    assert visitor.journeys.get().stage == "AWARENESS"


def test_resending_the_same_event_id_records_it_once(
    db, client, django_capture_on_commit_callbacks
):
    # given
    visit = {"eventType": "VISIT", "eventId": "visit-1", "visitorId": VISITOR}
    assert graphql(client, TRACK, {"input": visit}).json() == RECORDED

    # when: the storefront retries
    with django_capture_on_commit_callbacks() as queued:
        response = graphql(client, TRACK, {"input": visit})

    # then
    assert response.json() == NOT_AGAIN
    assert queued == []
    assert JourneyEvent.objects.count() == 1


def test_same_event_id_from_another_visitor_is_another_event(db, client):
    # when
    for visitor in (VISITOR, OTHER_VISITOR):
        visit = {"eventType": "VISIT", "eventId": "visit-1", "visitorId": visitor}
        assert graphql(client, TRACK, {"input": visit}).json() == RECORDED

    # then
    assert sorted(JourneyEvent.objects.values_list("visitor_id", flat=True)) == [
        VISITOR,
        OTHER_VISITOR,
    ]


@pytest.mark.parametrize(
    "visitor_id",
    [
        pytest.param(None, id="missing"),
        pytest.param("", id="empty"),
        pytest.param("   ", id="blank"),
    ],
)
def test_anonymous_tracking_needs_a_visitor_id(db, client, visitor_id):
    # given: an email alone no longer identifies anyone
    visit = {"eventType": "VISIT", "eventId": "visit-1", "email": "ann@example.com"}
    if visitor_id is not None:
        visit["visitorId"] = visitor_id

    # when
    response = graphql(client, TRACK, {"input": visit})

    # then
    assert response.status_code == 200
    assert response.json() == refused(
        "Sign in as a customer, or send the 'visitorId' your storefront keeps "
        "for this browser.",
        "visitorId",
    )
    assert JourneyEvent.objects.count() == 0


@pytest.mark.parametrize(
    "visitor_id", ["short", "x" * 65, "ann@example.com", "a b c d e f"]
)
def test_visitor_id_must_be_8_to_64_plain_characters(db, client, visitor_id):
    # when
    response = graphql(
        client,
        TRACK,
        {"input": {"eventType": "VISIT", "eventId": "v-1", "visitorId": visitor_id}},
    )

    # then
    expected = (
        "'visitorId' must be at most 64 characters, got 65."
        if len(visitor_id) > 64
        else "'visitorId' must be 8 to 64 letters, digits, '-' or '_' (a UUID will do)."
    )
    assert response.json() == refused(expected, "visitorId")
    assert JourneyEvent.objects.count() == 0


def test_anonymous_event_naming_a_customers_email_leaves_her_journey_alone(ann, client):
    # given: ann is AWARENESS; an attacker knows her address
    assert history("ann@example.com") == [(None, "AWARENESS", "ACCOUNT_CREATED")]
    view = {
        "eventType": "PRODUCT_VIEWED",
        "eventId": "x",
        "visitorId": OTHER_VISITOR,
        "email": "ann@example.com",
        "utmSource": "attacker",
    }

    # when
    response = graphql(client, TRACK, {"input": view})
    drain()

    # then: recorded, on the attacker's own visitor only
    assert response.json() == RECORDED
    assert history("ann@example.com") == [(None, "AWARENESS", "ACCOUNT_CREATED")]
    ann_customer = Customer.objects.get(user_id="42")
    assert list(
        JourneyEvent.objects.filter(customer=ann_customer).values_list(
            "type", flat=True
        )
    ) == ["ACCOUNT_CREATED", "VISIT"]
    attacker = Customer.objects.get(visitor_id=OTHER_VISITOR)
    assert attacker.email == "ann@example.com"
    assert Journey.objects.get(customer=attacker).stage == "INTEREST"


def test_anonymous_opt_in_waits_for_confirmation_and_changes_nothing(ann, client):
    # given
    opt_in = {
        "eventType": "NEWSLETTER_OPT_IN",
        "eventId": "form-1",
        "visitorId": OTHER_VISITOR,
        "email": "ann@example.com",
    }

    # when
    response = graphql(client, TRACK, {"input": opt_in})
    drain()

    # then: a pending request on the visitor; no opt-in anywhere
    assert response.json() == {
        "data": {"trackJourneyEvent": {"recorded": True, "pendingConfirmation": True}}
    }
    assert list(
        JourneyEvent.objects.filter(type__startswith="NEWSLETTER").values_list(
            "type", "visitor_id", "customer__visitor_id"
        )
    ) == [("NEWSLETTER_OPT_IN_REQUESTED", OTHER_VISITOR, OTHER_VISITOR)]
    assert history("ann@example.com") == [(None, "AWARENESS", "ACCOUNT_CREATED")]
    visitor_journey = Journey.objects.get(customer__visitor_id=OTHER_VISITOR)
    assert (visitor_journey.stage, visitor_journey.transitions.count()) == (None, 0)


def test_anonymous_opt_in_needs_an_email_to_confirm(db, client):
    # when
    response = graphql(
        client,
        TRACK,
        {
            "input": {
                "eventType": "NEWSLETTER_OPT_IN",
                "eventId": "f",
                "visitorId": VISITOR,
            }
        },
    )

    # then
    assert response.json() == refused(
        "An anonymous opt-in needs the 'email' to confirm it with.", "email"
    )
    assert JourneyEvent.objects.count() == 0


def test_anonymous_cannot_report_an_unsubscribe(ann, client):
    # when
    response = graphql(
        client,
        TRACK,
        {
            "input": {
                "eventType": "UNSUBSCRIBED",
                "eventId": "u-1",
                "visitorId": OTHER_VISITOR,
                "email": "ann@example.com",
            }
        },
    )

    # then
    assert response.json() == refused(
        "UNSUBSCRIBED can only be reported by a signed-in customer.", "eventType"
    )
    assert not JourneyEvent.objects.filter(type="UNSUBSCRIBED").exists()


# Signed-in customers


def test_signed_in_customer_tracks_a_product_view(
    ann, client, django_capture_on_commit_callbacks
):
    # given
    token = issue_token(user_id="42", email="ann@example.com")
    view = {
        "eventType": "PRODUCT_VIEWED",
        "eventId": "view-91",
        "productId": "UHJvZHVjdDo3Mg==",
        "touchChannel": "APP",
    }

    # when
    with django_capture_on_commit_callbacks() as queued:
        response = graphql(client, TRACK, {"input": view}, token=token)

    # then
    assert response.json() == RECORDED
    assert len(queued) == 1
    event = JourneyEvent.objects.get(type="PRODUCT_VIEWED")
    assert (
        event.idempotency_key,
        event.user_id,
        event.visitor_id,
        event.email,
        event.touch_channel,
        event.payload,
    ) == (
        stored_key("track:web-usd:user:42:view-91"),
        "42",
        "",
        "ann@example.com",
        "APP",
        {"product_id": "UHJvZHVjdDo3Mg=="},
    )

    # when: the worker processes it
    assert process_event(event.pk)

    # then
    assert history("ann@example.com") == [
        (None, "AWARENESS", "ACCOUNT_CREATED"),
        ("AWARENESS", "INTEREST", "PRODUCT_VIEWED"),
    ]


def test_signed_in_customer_opts_in_under_their_account_not_the_given_email(
    ann, client
):
    # given
    token = issue_token(user_id="42", email="ann@example.com")
    opt_in = {
        "eventType": "NEWSLETTER_OPT_IN",
        "eventId": "opt-in-1",
        "email": "someone-else@example.com",
    }

    # when
    response = graphql(client, TRACK, {"input": opt_in}, token=token)

    # then: a signed-in opt-in needs no confirmation
    assert response.json() == RECORDED
    assert list(
        JourneyEvent.objects.filter(type="NEWSLETTER_OPT_IN").values_list(
            "user_id", "email"
        )
    ) == [("42", "ann@example.com")]


def test_signing_in_with_the_visitor_id_joins_that_visitor_to_the_account(ann, client):
    # given: ann browsed anonymously first, then signed in
    for event_type, event_id in (("VISIT", "v-1"), ("PRODUCT_VIEWED", "p-1")):
        anonymous = {"eventType": event_type, "eventId": event_id, "visitorId": VISITOR}
        assert graphql(client, TRACK, {"input": anonymous}).json() == RECORDED
    drain()
    token = issue_token(user_id="42", email="ann@example.com")

    # when: a signed-in call presents the same visitor id
    visit = {"eventType": "VISIT", "eventId": "v-2", "visitorId": VISITOR}
    assert graphql(client, TRACK, {"input": visit}, token=token).json() == RECORDED
    drain()

    # then: one customer, with the visitor's product view in her history
    assert not Customer.objects.filter(visitor_id=VISITOR).exists()
    assert history("ann@example.com") == [
        (None, "AWARENESS", "ACCOUNT_CREATED"),
        ("AWARENESS", "INTEREST", "PRODUCT_VIEWED"),
    ]
    assert JourneyEvent.objects.filter(customer__user_id="42").count() == 5

    # when: later, the same browser sends an anonymous event again
    later = {"eventType": "PRODUCT_VIEWED", "eventId": "p-9", "visitorId": VISITOR}
    assert graphql(client, TRACK, {"input": later}).json() == RECORDED
    drain()

    # then: it starts a new visitor; the account is not written by anonymous calls
    assert JourneyEvent.objects.filter(customer__user_id="42").count() == 5
    assert Customer.objects.get(visitor_id=VISITOR).user_id is None


# Bounded, checked input


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "productId",
            "p" * 101,
            "'productId' must be at most 100 characters, got 101.",
        ),
        (
            "email",
            "a" * 250 + "@x.io",
            "'email' must be at most 254 characters, got 255.",
        ),
        ("email", "not-an-email", "'email' is not a valid email address."),
        ("eventId", "", "'eventId' must not be empty."),
        ("eventId", "x" * 101, "'eventId' must be at most 100 characters, got 101."),
        ("eventId", "a\x00b", "'eventId' must not contain control characters."),
        (
            "utmSource",
            "news\x00letter",
            "'utmSource' must not contain control characters.",
        ),
        (
            "utmCampaign",
            "c" * 256,
            "'utmCampaign' must be at most 255 characters, got 256.",
        ),
        (
            "referrer",
            "r" * 1025,
            "'referrer' must be at most 1024 characters, got 1025.",
        ),
        ("searchTerm", "s\x00", "'searchTerm' must not contain control characters."),
    ],
    ids=lambda value: value if len(str(value)) < 20 else None,
)
def test_bad_input_is_refused_by_name_and_stores_nothing(
    db, client, caplog, field, value, message
):
    # given
    visit = {"eventType": "VISIT", "eventId": "v-1", "visitorId": VISITOR, field: value}

    # when
    with caplog.at_level(logging.INFO):
        response = graphql(client, TRACK, {"input": visit})

    # then: the field is named; no database error, nothing stored or logged
    assert response.status_code == 200
    assert response.json() == refused(message, field)
    assert JourneyEvent.objects.count() == 0
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_long_email_and_event_id_fit_because_keys_are_digests(db, client):
    # given: a 254-character address and a 100-character event id
    email = "a" * 64 + "@" + ".".join(["b" * 62, "c" * 62, "d" * 60, "io"])
    visit = {
        "eventType": "VISIT",
        "eventId": "e" * 100,
        "visitorId": "v" * 64,
        "email": email,
    }

    # when
    response = graphql(client, TRACK, {"input": visit})

    # then
    assert len(email) == 254
    assert response.json() == RECORDED
    assert JourneyEvent.objects.get().email == email


# Rate limit


@pytest.fixture
def within_one_minute():
    """Wait out a minute about to end, so a test's calls share one window."""
    if time.time() % 60 > 50:
        time.sleep(60 - time.time() % 60)


@pytest.fixture
def three_a_minute(settings, within_one_minute):
    settings.JOURNEY_ANONYMOUS_CALLS_PER_MINUTE = 3


def test_anonymous_calls_over_the_limit_are_refused(db, client, three_a_minute):
    # given: three calls from one address use the allowance
    for n in range(3):
        visit = {"eventType": "VISIT", "eventId": f"v-{n}", "visitorId": VISITOR}
        assert graphql(client, TRACK, {"input": visit}).json() == RECORDED

    # when
    visit = {"eventType": "VISIT", "eventId": "v-3", "visitorId": VISITOR}
    response = graphql(client, TRACK, {"input": visit})

    # then
    body = response.json()
    assert body["data"] == {"trackJourneyEvent": None}
    [refusal] = body["errors"]
    assert refusal["extensions"] == {"exception": {"code": "RATE_LIMITED"}}
    assert refusal["message"].startswith(
        "Too many anonymous calls from this client: at most 3 a minute. Try again in "
    )
    assert JourneyEvent.objects.count() == 3


def test_the_limit_counts_each_client_and_spares_signed_in_customers(
    db, client, three_a_minute
):
    # given: one address has used its allowance
    for n in range(4):
        visit = {"eventType": "VISIT", "eventId": f"v-{n}", "visitorId": VISITOR}
        graphql(client, TRACK, {"input": visit})
    token = issue_token(user_id="42", email="ann@example.com")

    # when: another address, and a signed-in customer on the first one
    other = client.post(
        "/graphql/web-usd/",
        data={
            "query": TRACK,
            "variables": {
                "input": {
                    "eventType": "VISIT",
                    "eventId": "o-1",
                    "visitorId": OTHER_VISITOR,
                }
            },
        },
        content_type="application/json",
        REMOTE_ADDR="203.0.113.9",
    )
    signed_in = graphql(
        client, TRACK, {"input": {"eventType": "VISIT", "eventId": "s-1"}}, token=token
    )

    # then
    assert other.json() == RECORDED
    assert signed_in.json() == RECORDED
    assert JourneyEvent.objects.count() == 5


@pytest.fixture
def five_a_minute_per_account(settings, within_one_minute):
    settings.JOURNEY_CUSTOMER_CALLS_PER_MINUTE = 5


def test_signed_in_calls_over_the_limit_are_refused(
    db, client, five_a_minute_per_account
):
    # given: anyone can register, so an account is no licence to flood the log
    token = issue_token(user_id="42", email="ann@example.com")
    for n in range(5):
        visit = {"eventType": "VISIT", "eventId": f"s-{n}"}
        assert graphql(client, TRACK, {"input": visit}, token=token).json() == (
            RECORDED
        )

    # when: the sixth call within the minute
    visit = {"eventType": "VISIT", "eventId": "s-5"}
    response = graphql(client, TRACK, {"input": visit}, token=token)

    # then: refused the way anonymous calls are, and nothing more recorded
    body = response.json()
    assert body["data"] == {"trackJourneyEvent": None}
    [refusal] = body["errors"]
    assert refusal["extensions"] == {"exception": {"code": "RATE_LIMITED"}}
    assert refusal["message"].startswith(
        "Too many calls from this account: at most 5 a minute. Try again in "
    )
    assert JourneyEvent.objects.count() == 5


def test_the_signed_in_limit_counts_each_account_not_the_address(
    db, client, five_a_minute_per_account
):
    # given: ann has used her allowance from this address
    ann = issue_token(user_id="42", email="ann@example.com")
    for n in range(6):
        graphql(
            client,
            TRACK,
            {"input": {"eventType": "VISIT", "eventId": f"a-{n}"}},
            token=ann,
        )
    bob = issue_token(user_id="43", email="bob@example.com")
    staff = issue_token(user_id="7", email="staff@example.com", **STAFF)

    # when: another account, staff and an anonymous visitor on the same address
    answers = [
        graphql(
            client,
            TRACK,
            {"input": {"eventType": "VISIT", "eventId": "b-1"}},
            token=bob,
        ),
        graphql(
            client,
            TRACK,
            {"input": {"eventType": "VISIT", "eventId": "v-1", "visitorId": VISITOR}},
        ),
    ] + [
        graphql(
            client,
            TRACK,
            {"input": {"eventType": "VISIT", "eventId": f"st-{n}"}},
            token=staff,
        )
        for n in range(6)
    ]

    # then: only ann is held back; staff (granted by the store) are not limited
    assert [a.json() for a in answers] == [RECORDED] * 8
    assert JourneyEvent.objects.filter(user_id="42").count() == 5
    assert JourneyEvent.objects.count() == 5 + 8


def test_forwarded_for_is_ignored_unless_proxies_are_trusted(
    db, client, three_a_minute, settings
):
    # given: a client rotating X-Forwarded-For to dodge the limit
    def call(n, forwarded):
        visit = {"eventType": "VISIT", "eventId": f"v-{n}", "visitorId": VISITOR}
        return client.post(
            "/graphql/web-usd/",
            data={"query": TRACK, "variables": {"input": visit}},
            content_type="application/json",
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    # when
    answers = [call(n, f"198.51.100.{n}") for n in range(4)]

    # then: one client all the same
    assert [a.json()["data"]["trackJourneyEvent"] is None for a in answers] == [
        False,
        False,
        False,
        True,
    ]

    # when: behind one trusted proxy, the entry it appended is the client
    settings.JOURNEY_TRUSTED_PROXY_COUNT = 1
    behind_proxy = call(9, "spoofed, 192.0.2.77")

    # then
    assert behind_proxy.json()["data"]["trackJourneyEvent"] == {
        "recorded": True,
        "pendingConfirmation": False,
    }


def test_a_million_character_product_id_is_refused_before_parsing(db, client):
    # given: the review's request, a 1,000,000-character productId
    view = {
        "eventType": "PRODUCT_VIEWED",
        "eventId": "v-1",
        "visitorId": VISITOR,
        "productId": "p" * 1_000_000,
    }

    # when
    response = graphql(client, TRACK, {"input": view})

    # then: too large to read, and nothing stored
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"] == {
        "exception": {"code": "RequestTooLarge"}
    }
    assert JourneyEvent.objects.count() == 0


def test_staff_lookup_by_email_prefers_the_guest_over_visitors_who_typed_it(db, client):
    # given: a visitor typed bob's address first; bob then ordered as a guest
    visit = {
        "eventType": "PRODUCT_VIEWED",
        "eventId": "v-1",
        "visitorId": VISITOR,
        "email": "bob@example.com",
    }
    assert graphql(client, TRACK, {"input": visit}).json() == RECORDED
    drain()
    seed(E.ORDER_PLACED, "order:1:placed", days=0, email="bob@example.com")

    # when
    response = graphql(
        client,
        '{ customerJourney(email: "bob@example.com") { stage } }',
        token=issue_token(**STAFF),
    )

    # then: the guest's own journey, not the visitor's
    assert response.json() == {"data": {"customerJourney": {"stage": "PURCHASE"}}}
    assert Customer.objects.filter(email="bob@example.com").count() == 2
