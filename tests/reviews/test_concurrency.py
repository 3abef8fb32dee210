"""Simultaneous deliveries of one review, each on its own PostgreSQL connection."""

import threading

import pytest
from django.db import connection
from django.test import Client

from saleor_journey_plugin.core.processing import drain
from saleor_journey_plugin.models import Journey, JourneyEvent
from saleor_journey_plugin.reviews.models import Review, ReviewDelivery

from .conftest import body_of, post

DELIVERIES = 10


def deliver_at_once(bodies_and_ids):
    """POST every (body, webhook id) from its own thread, all released together."""
    start = threading.Barrier(len(bodies_and_ids))
    answers = [None] * len(bodies_and_ids)

    def deliver(index, body, webhook_id):
        try:
            start.wait()
            answers[index] = post(Client(), body, webhook_id=webhook_id)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=deliver, args=(index, body, webhook_id))
        for index, (body, webhook_id) in enumerate(bodies_and_ids)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


@pytest.mark.django_db(transaction=True)
def test_ten_deliveries_of_one_message_at_once_store_it_once():
    # when: the service's retries of one message all arrive together
    answers = deliver_at_once([(body_of(), "msg_1")] * DELIVERIES)
    drain()

    # then: one created, nine duplicates; one row, one event, one journey
    assert sorted(answer[1]["status"] for answer in answers) == ["created"] + [
        "duplicate"
    ] * (DELIVERIES - 1)
    assert {answer[0] for answer in answers} == {200}
    assert (
        Review.objects.count(),
        ReviewDelivery.objects.count(),
        list(JourneyEvent.objects.values_list("type", flat=True)),
        list(Journey.objects.values_list("stage", flat=True)),
    ) == (1, 1, ["REVIEW_SUBMITTED"], ["LOYALTY"])


@pytest.mark.django_db(transaction=True)
def test_ten_messages_of_one_review_at_once_store_it_once():
    # when: the same review sent as ten different messages at once
    answers = deliver_at_once(
        [(body_of(), f"msg_{index}") for index in range(DELIVERIES)]
    )
    drain()

    # then: one created, the others see it unchanged; one event
    assert sorted(answer[1]["status"] for answer in answers) == ["created"] + [
        "unchanged"
    ] * (DELIVERIES - 1)
    review = Review.objects.get()
    assert (
        review.version,
        ReviewDelivery.objects.count(),
        list(JourneyEvent.objects.values_list("type", flat=True)),
    ) == (1, DELIVERIES, ["REVIEW_SUBMITTED"])


@pytest.mark.django_db(transaction=True)
def test_ten_different_ratings_at_once_leave_one_row_and_one_event_per_change():
    # when: ten versions with ratings 1..5 twice over race each other
    ratings = [1 + index % 5 for index in range(DELIVERIES)]
    answers = deliver_at_once(
        [(body_of(rating=rating), f"msg_{i}") for i, rating in enumerate(ratings)]
    )

    # then: one row whose version counts the accepted changes; one event per
    # rating change, each with the rating it replaced
    review = Review.objects.get()
    statuses = [answer[1]["status"] for answer in answers]
    assert statuses.count("created") == 1
    assert review.version == 1 + statuses.count("updated")
    events = list(JourneyEvent.objects.order_by("id").values_list("type", "payload"))
    assert events[0][0] == "REVIEW_SUBMITTED"
    assert {event_type for event_type, _ in events[1:]} <= {"REVIEW_EDITED"}
    chain = [payload["rating"] for _, payload in events]
    assert [payload["previous_rating"] for _, payload in events[1:]] == chain[:-1]
    assert chain[-1] == review.rating
