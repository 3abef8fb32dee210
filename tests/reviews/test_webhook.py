"""The review webhook over HTTP, as the example store serves it."""

import time
from datetime import UTC, datetime

import pytest

from saleor_journey_plugin.core.events import Emotion, emotion
from saleor_journey_plugin.core.processing import drain
from saleor_journey_plugin.core.queries import touchpoints
from saleor_journey_plugin.core.recording import stored_key
from saleor_journey_plugin.models import Customer, Journey, JourneyEvent
from saleor_journey_plugin.reviews.models import Review, ReviewDelivery
from saleor_journey_plugin.reviews.payload import MAX_BODY_BYTES

from .conftest import CHANNEL, SECRET, URL, body_of, post, signed_headers

CREATED_AT = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def nothing_stored():
    return (
        Review.objects.count(),
        ReviewDelivery.objects.count(),
        JourneyEvent.objects.count(),
    ) == (0, 0, 0)


# Accepted reviews


def test_a_signed_review_is_stored_and_moves_its_customer_to_loyalty(db, client):
    # when
    status, answer = post(client, body_of())
    applied = drain()

    # then: one review, one event applied, the reviewer now LOYALTY
    assert (status, answer) == (
        200,
        {"status": "created", "review_id": "rv-1001", "version": 1, "verified": False},
    )
    review = Review.objects.get()
    customer = Customer.objects.get()
    assert {
        "channel": review.channel,
        "review_id": review.review_id,
        "customer": review.customer_id,
        "email": review.email,
        "rating": review.rating,
        "title": review.title,
        "body": review.body,
        "product": review.product,
        "order": review.order,
        "photos": review.photos,
        "verified": review.verified,
        "created_at": review.created_at,
        "version": review.version,
    } == {
        "channel": CHANNEL,
        "review_id": "rv-1001",
        "customer": customer.pk,
        "email": "ann@example.com",
        "rating": 5,
        "title": "Lovely mug",
        "body": "Keeps the coffee hot.",
        "product": "MUG-RED",
        "order": "1042",
        "photos": 2,
        "verified": False,
        "created_at": CREATED_AT,
        "version": 1,
    }
    assert applied == 1
    event = JourneyEvent.objects.get()
    assert (
        event.type,
        event.idempotency_key,
        event.channel,
        event.email,
        event.touch_channel,
        event.occurred_at,
        event.payload,
        event.customer_id,
    ) == (
        "REVIEW_SUBMITTED",
        stored_key("review:web-usd:rv-1001"),
        CHANNEL,
        "ann@example.com",
        "API",
        CREATED_AT,
        {
            "review_id": "rv-1001",
            "rating": 5,
            "verified": False,
            "purchased_product": "",
            "product": "MUG-RED",
            "order": "1042",
            "photos": 2,
        },
        customer.pk,
    )
    journey = Journey.objects.get()
    assert (journey.customer.email, journey.stage, journey.stage_entered_at) == (
        "ann@example.com",
        "LOYALTY",
        CREATED_AT,
    )
    assert ReviewDelivery.objects.get().webhook_id == "msg_1"


def test_a_review_rated_3_is_neutral_and_moves_no_one(db, client):
    # when
    status, _ = post(client, body_of(rating=3))
    drain()

    # then
    event = JourneyEvent.objects.get()
    assert status == 200
    assert emotion(event.type, event.payload["rating"]) is Emotion.NEUTRAL
    assert Journey.objects.get().stage is None
    assert touchpoints([event.customer_id], CHANNEL, 10, pain_only=True) == {}


@pytest.mark.parametrize("rating", [1, 2])
def test_a_review_rated_1_or_2_is_a_pain_point(db, client, rating):
    # when
    post(client, body_of(rating=rating))
    drain()

    # then
    event = JourneyEvent.objects.get()
    assert emotion(event.type, rating) is Emotion.NEGATIVE
    assert touchpoints([event.customer_id], CHANNEL, 10, pain_only=True) == {
        event.customer_id: [event]
    }


def test_optional_fields_may_be_left_out(db, client):
    # given: the three required fields only
    body = body_of({"review_id": "rv-7", "rating": 4, "email": "bo@example.com"})

    # when
    before = datetime.now(tz=UTC).replace(microsecond=0)
    status, answer = post(client, body)

    # then: empty texts, no photos, created when received
    review = Review.objects.get()
    assert (status, answer["status"]) == (200, "created")
    assert (review.title, review.body, review.product, review.order, review.photos) == (
        "",
        "",
        "",
        "",
        0,
    )
    assert review.created_at == review.received_at
    assert review.received_at >= before
    assert JourneyEvent.objects.get().occurred_at == review.received_at


def test_an_order_number_may_be_sent_as_a_json_number(db, client):
    # when
    post(client, body_of(order=1042))

    # then
    assert Review.objects.get().order == "1042"


# Unsigned, badly signed, out of time: 401 and nothing stored


def without(headers, name):
    return {k: v for k, v in headers.items() if k != name}


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (
            lambda body, headers: (body, signed_headers(body, secret="x" * 30)),
            "No signature matches: wrong secret or altered body.",
        ),
        (
            lambda body, headers: (
                body.replace(b'"rating": 5', b'"rating": 1'),
                headers,
            ),
            "No signature matches: wrong secret or altered body.",
        ),
        (
            lambda body, headers: (body, without(headers, "webhook-id")),
            "Missing webhook-id header.",
        ),
        (
            lambda body, headers: (body, without(headers, "webhook-timestamp")),
            "Missing webhook-timestamp header.",
        ),
        (
            lambda body, headers: (body, without(headers, "webhook-signature")),
            "Missing webhook-signature header.",
        ),
        (
            lambda body, headers: (
                body,
                {**headers, "webhook-signature": headers["webhook-signature"][3:]},
            ),
            "Malformed webhook-signature header: space-separated v1,<base64> "
            "entries expected.",
        ),
        (
            lambda body, headers: (
                body,
                {
                    **headers,
                    "webhook-signature": "v2," + headers["webhook-signature"][3:],
                },
            ),
            "No v1 signature in the webhook-signature header.",
        ),
        (
            lambda body, headers: (body, {**headers, "webhook-timestamp": "soon"}),
            "Malformed webhook-timestamp header: Unix seconds expected.",
        ),
        (
            lambda body, headers: (
                body,
                signed_headers(body, timestamp=int(time.time()) - 301),
            ),
            "The webhook-timestamp is more than 5 minutes old: a stale delivery.",
        ),
        (
            lambda body, headers: (
                body,
                signed_headers(body, timestamp=int(time.time()) + 301),
            ),
            "The webhook-timestamp is more than 5 minutes ahead: check the "
            "sender's clock.",
        ),
    ],
    ids=[
        "wrong secret",
        "tampered body",
        "no webhook-id",
        "no webhook-timestamp",
        "no webhook-signature",
        "signature without version",
        "no v1 signature",
        "timestamp not a number",
        "stale timestamp",
        "future timestamp",
    ],
)
def test_a_delivery_not_proven_authentic_is_refused(db, client, change, error):
    # given
    body = body_of()
    body, headers = change(body, signed_headers(body))

    # when
    status, answer = post(client, body, headers)

    # then
    assert (status, answer) == (401, {"error": error})
    assert nothing_stored()


def test_a_channel_without_secrets_refuses_every_delivery(db, client, settings):
    # given: web-krw has the journey on but no review secret
    url = URL.replace(CHANNEL, "web-krw")

    # when
    status, answer = post(client, body_of(), url=url)

    # then
    assert (status, answer) == (
        401,
        {
            "error": "No review webhook secret is set for this channel: every "
            "delivery is refused."
        },
    )
    assert nothing_stored()


def test_a_channel_without_the_journey_is_not_found(db, client):
    # when
    status, answer = post(client, body_of(), url=URL.replace(CHANNEL, "web-eur"))

    # then
    assert (status, answer) == (
        404,
        {"error": "Reviews are not received in channel web-eur."},
    )
    assert nothing_stored()


def test_only_post_is_allowed(db, client):
    # when
    response = client.get(URL)

    # then
    assert (response.status_code, response["Allow"], response.json()) == (
        405,
        "POST",
        {"error": "POST a signed review."},
    )


# Rotation


def test_while_a_secret_is_rotated_both_verify_and_a_removed_one_fails(
    db, client, settings
):
    # given: the new secret added next to the old one
    from .conftest import WHSEC, use_secrets

    use_secrets(settings, SECRET, WHSEC)

    # when: one delivery signed with each
    old = post(client, body_of(review_id="rv-old"), secret=SECRET, webhook_id="m1")
    new = post(client, body_of(review_id="rv-new"), secret=WHSEC, webhook_id="m2")
    # and the old secret removed
    use_secrets(settings, WHSEC)
    gone = post(client, body_of(review_id="rv-late"), secret=SECRET, webhook_id="m3")

    # then
    assert [old[0], new[0], gone[0]] == [200, 200, 401]
    assert sorted(Review.objects.values_list("review_id", flat=True)) == [
        "rv-new",
        "rv-old",
    ]


# Redeliveries and edits


def test_a_replayed_webhook_id_has_one_effect(db, client):
    # given
    body = body_of()
    post(client, body, webhook_id="msg_1")

    # when: the service retries the same message (a new attempt, a new timestamp)
    status, answer = post(
        client, body, webhook_id="msg_1", timestamp=int(time.time()) + 1
    )

    # then
    assert (status, answer) == (200, {"status": "duplicate"})
    assert (
        Review.objects.count(),
        ReviewDelivery.objects.count(),
        JourneyEvent.objects.count(),
    ) == (1, 1, 1)


def test_a_replayed_webhook_id_changes_nothing_even_with_another_body(db, client):
    # given
    post(client, body_of(), webhook_id="msg_1")

    # when
    status, answer = post(client, body_of(rating=1), webhook_id="msg_1")

    # then
    assert (status, answer) == (200, {"status": "duplicate"})
    assert Review.objects.get().rating == 5
    assert JourneyEvent.objects.count() == 1


def test_an_edited_review_keeps_one_row_with_the_latest_rating(db, client):
    # given: the review, applied
    post(client, body_of(rating=2), webhook_id="msg_1")
    drain()

    # when: edited at the service and sent again
    before = datetime.now(tz=UTC)
    status, answer = post(
        client,
        body_of(rating=5, title="Better after all", created_at="2026-03-12T08:00:00Z"),
        webhook_id="msg_2",
    )
    drain()

    # then: one row, version 2; one REVIEW_EDITED with the previous rating
    assert (status, answer) == (
        200,
        {"status": "updated", "review_id": "rv-1001", "version": 2, "verified": False},
    )
    review = Review.objects.get()
    assert (review.rating, review.title, review.version, review.created_at) == (
        5,
        "Better after all",
        2,
        datetime(2026, 3, 12, 8, 0, tzinfo=UTC),
    )
    edited = JourneyEvent.objects.get(type="REVIEW_EDITED")
    assert (edited.idempotency_key, edited.payload) == (
        stored_key("review:web-usd:rv-1001:v2"),
        {
            "review_id": "rv-1001",
            "rating": 5,
            "verified": False,
            "purchased_product": "",
            "product": "MUG-RED",
            "order": "1042",
            "photos": 2,
            "previous_rating": 2,
        },
    )
    assert edited.occurred_at >= before
    assert JourneyEvent.objects.filter(type="REVIEW_SUBMITTED").count() == 1
    # the edit to 5 makes the customer loyal, from the edit's receipt on
    journey = Journey.objects.get()
    assert (journey.stage, journey.stage_entered_at) == ("LOYALTY", edited.occurred_at)
    assert Review.objects.get().customer_id == journey.customer_id


def test_an_edit_without_a_new_rating_records_no_event(db, client):
    # given
    post(client, body_of(), webhook_id="msg_1")

    # when: only the text changed
    status, answer = post(client, body_of(body="Still hot."), webhook_id="msg_2")

    # then
    assert (status, answer["status"], answer["version"]) == (200, "updated", 2)
    assert Review.objects.get().body == "Still hot."
    assert list(JourneyEvent.objects.values_list("type", flat=True)) == [
        "REVIEW_SUBMITTED"
    ]


def test_the_same_review_under_a_new_webhook_id_changes_nothing(db, client):
    # given
    post(client, body_of(), webhook_id="msg_1")

    # when: the service sends it again as a new message
    status, answer = post(client, body_of(), webhook_id="msg_2")

    # then
    assert (status, answer["status"], answer["version"]) == (200, "unchanged", 1)
    assert (Review.objects.get().version, JourneyEvent.objects.count()) == (1, 1)


def test_an_older_version_arriving_late_changes_nothing(db, client):
    # given: the edit (12 March) arrived before the original (10 March)
    post(client, body_of(rating=4, created_at="2026-03-12T08:00:00+00:00"))

    # when
    status, answer = post(client, body_of(rating=1), webhook_id="msg_2")

    # then: the newer version stays
    assert (status, answer["status"]) == (200, "stale")
    review = Review.objects.get()
    assert (review.rating, review.version) == (4, 1)
    assert list(JourneyEvent.objects.values_list("type", flat=True)) == [
        "REVIEW_SUBMITTED"
    ]


def test_a_review_in_another_channel_is_another_review(db, client, settings):
    # given: web-krw takes reviews with the same secret
    settings.JOURNEY_CHANNELS = {
        **settings.JOURNEY_CHANNELS,
        "web-krw": {
            **settings.JOURNEY_CHANNELS["web-krw"],
            "review_webhook_secrets": SECRET,
        },
    }
    post(client, body_of(), webhook_id="msg_1")

    # when: the same review id and webhook id in web-krw
    status, answer = post(
        client, body_of(), webhook_id="msg_1", url=URL.replace(CHANNEL, "web-krw")
    )

    # then
    assert (status, answer["status"]) == (200, "created")
    assert sorted(Review.objects.values_list("channel", flat=True)) == [
        "web-krw",
        "web-usd",
    ]


# Bad bodies: 400 or 413 and nothing stored


def test_a_body_over_the_size_limit_is_refused(db, client):
    # given: a signed body one byte over 64 KiB
    body = body_of(body="x" * MAX_BODY_BYTES)[: MAX_BODY_BYTES + 1]

    # when
    status, answer = post(client, body)

    # then
    assert (status, answer) == (
        413,
        {"error": "The body is 65537 bytes; a review takes at most 65536."},
    )
    assert nothing_stored()


@pytest.mark.parametrize(
    ("body", "error", "field"),
    [
        (b"{not json", "The body is not valid UTF-8 JSON:", None),
        (b'["a review"]', "The body must be a JSON object.", None),
        (b'{"rating": NaN}', "The body is not valid UTF-8 JSON:", None),
        (body_of(review_id=None), "review_id is required.", "review_id"),
        (body_of(review_id="  "), "review_id must not be empty.", "review_id"),
        (body_of(review_id=17), "review_id must be a string.", "review_id"),
        (
            body_of(review_id="r" * 256),
            "review_id is 256 characters long; at most 255.",
            "review_id",
        ),
        (body_of(rating=None), "rating is required.", "rating"),
        (body_of(email=None), "email is required.", "email"),
        (body_of(email="not-an-email"), "email is not a valid email address.", "email"),
        (
            body_of(rating=0),
            "rating must be a JSON integer from 1 to 5, got 0.",
            "rating",
        ),
        (
            body_of(rating=6),
            "rating must be a JSON integer from 1 to 5, got 6.",
            "rating",
        ),
        (
            body_of(rating="4"),
            'rating must be a JSON integer from 1 to 5, got "4".',
            "rating",
        ),
        (
            body_of(rating=4.5),
            "rating must be a JSON integer from 1 to 5, got 4.5.",
            "rating",
        ),
        (
            body_of(rating=4.0),
            "rating must be a JSON integer from 1 to 5, got 4.0.",
            "rating",
        ),
        (
            body_of(rating=True),
            "rating must be a JSON integer from 1 to 5, got true.",
            "rating",
        ),
        (
            body_of(title="t" * 256),
            "title is 256 characters long; at most 255.",
            "title",
        ),
        (body_of(body="b\x00"), "body must not contain NUL characters.", "body"),
        (body_of(product=["MUG"]), "product must be a string.", "product"),
        (body_of(order=0), "order number must be positive.", "order"),
        (
            body_of(created_at="yesterday"),
            "created_at is not an ISO 8601 date and time: 'yesterday'.",
            "created_at",
        ),
        (
            body_of(created_at="2026-03-10T12:00:00"),
            "created_at needs a UTC offset (e.g. 2026-03-01T09:00:00+00:00 or Z).",
            "created_at",
        ),
        (
            body_of(created_at="2999-01-01T00:00:00Z"),
            "created_at is in the future.",
            "created_at",
        ),
        (body_of(photos=-1), "photos must be a JSON integer from 0 to 1000.", "photos"),
        (
            body_of(photos="2"),
            "photos must be a JSON integer from 0 to 1000.",
            "photos",
        ),
    ],
)
def test_a_body_that_is_not_a_review_is_refused_naming_the_field(
    db, client, body, error, field
):
    # when
    status, answer = post(client, body)

    # then
    assert status == 400
    assert answer["field"] == field
    if field is None:
        assert answer["error"].startswith(error)
    else:
        assert answer["error"] == error
    assert nothing_stored()
