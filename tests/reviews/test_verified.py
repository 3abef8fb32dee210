"""Verified purchases in the example store: its orders are ORDER_PAID events."""

from datetime import UTC, datetime

import pytest

from saleor_journey_plugin.core.events import EventType as E
from saleor_journey_plugin.core.events import JourneyEventData
from saleor_journey_plugin.core.processing import drain
from saleor_journey_plugin.core.recording import record_event
from saleor_journey_plugin.models import JourneyEvent
from saleor_journey_plugin.reviews.models import Review

from .conftest import CHANNEL, body_of, post

PAID_AT = datetime(2026, 3, 5, 10, 0, tzinfo=UTC)


def paid_order(order_id, *, email="ann@example.com", channel=CHANNEL, **payload):
    record_event(
        JourneyEventData(
            type=E.ORDER_PAID,
            idempotency_key=f"order:{order_id}:paid",
            occurred_at=PAID_AT,
            channel=channel,
            email=email,
            payload={"order_id": order_id, "total": "30.00", "currency": "USD"}
            | payload,
        )
    )


@pytest.mark.parametrize(
    ("fields", "purchased"),
    [
        ({"order": "1042", "product": "MUG-RED"}, "MUG-RED"),
        ({"order": 1042, "product": "MUG-BLUE"}, "MUG-BLUE"),
        ({"order": "", "product": "MUG-RED"}, "MUG-RED"),
        ({"order": "1043", "product": "MUG-RED"}, ""),
        ({"order": "9999", "product": "MUG-RED"}, ""),
        ({"order": "1042", "product": "TEA-POT"}, ""),
        ({"order": "", "product": "KETTLE"}, ""),
        ({"order": "1042", "product": ""}, ""),
        ({"order": "", "product": ""}, ""),
    ],
)
def test_a_review_is_verified_by_a_line_of_the_reviewers_paid_order(
    db, client, fields, purchased
):
    # given: Ann paid order 1042 with a red and a blue mug in it, and 1043
    # with a teapot
    paid_order("1042", products=["MUG-RED", "MUG-BLUE"])
    paid_order("1043", products=["TEA-POT"])
    drain()
    verified = bool(purchased)

    # when
    status, answer = post(client, body_of(**fields))
    drain()

    # then
    assert (status, answer["verified"]) == (200, verified)
    assert Review.objects.get().verified is verified
    event = JourneyEvent.objects.get(type="REVIEW_SUBMITTED")
    assert event.payload["verified"] is verified
    assert event.payload["purchased_product"] == purchased


def test_someone_elses_order_does_not_verify_a_review(db, client):
    # given: order 1042 is Bo's
    paid_order("1042", email="bo@example.com", products=["MUG-RED"])
    drain()

    # when: Ann reviews it
    _, answer = post(client, body_of(order="1042"))

    # then
    assert answer["verified"] is False


def test_an_order_paid_in_another_channel_does_not_verify_a_review(db, client):
    # given
    paid_order("1042", channel="web-krw", products=["MUG-RED"])
    drain()

    # when
    _, answer = post(client, body_of())

    # then
    assert answer["verified"] is False


def test_an_order_the_drain_has_not_applied_yet_verifies_by_email(db, client):
    # given: the order's event still waits for the drain
    paid_order("1042", products=["MUG-RED"])

    # when
    _, answer = post(client, body_of(order="1042", product="MUG-RED"))

    # then
    assert answer["verified"] is True


def test_an_edit_naming_a_paid_order_becomes_verified(db, client):
    # given: a review naming no product, then the order paid
    post(client, body_of(order="", product=""), webhook_id="msg_1")
    paid_order("1042", products=["MUG-RED"])
    drain()

    # when: the service adds the product and its order to the review
    _, answer = post(
        client, body_of(order="1042", product="MUG-RED"), webhook_id="msg_2"
    )

    # then: verified from this version on; no event (the rating is the same)
    assert (answer["status"], answer["verified"]) == ("updated", True)
    assert Review.objects.get().verified is True
    assert JourneyEvent.objects.filter(type__startswith="REVIEW").count() == 1
