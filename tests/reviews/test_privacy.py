"""Reviews and the people who wrote them: erasure and merged identities."""

from datetime import UTC, datetime

from example_store.purchases import link_guest_orders
from saleor_journey_plugin.core.erasure import erase_customer
from saleor_journey_plugin.core.events import EventType as E
from saleor_journey_plugin.core.events import JourneyEventData
from saleor_journey_plugin.core.processing import drain
from saleor_journey_plugin.core.recording import record_event
from saleor_journey_plugin.models import Customer, JourneyEvent
from saleor_journey_plugin.reviews.models import Review

from ..test_erasure import rows_naming
from .conftest import body_of, post

AT = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def event(event_type, key, **fields):
    record_event(
        JourneyEventData(type=event_type, idempotency_key=key, occurred_at=AT, **fields)
    )


def test_erasing_a_customer_blanks_their_reviews_and_unlinks_them(db, client):
    # given: Ann's account, her review (applied) and a second one not yet applied
    event(E.ACCOUNT_CREATED, "user:42:created", user_id="42", email="ann@example.com")
    post(client, body_of(), webhook_id="msg_1")
    drain()
    post(
        client,
        body_of(review_id="rv-1002", rating=2, title="Chipped", body="Ann's mug"),
        webhook_id="msg_2",
    )

    # when
    erase_customer(user_id="42", email="ann@example.com")
    drain()

    # then: ratings, products and orders stay; nothing names Ann
    assert list(
        Review.objects.order_by("review_id").values_list(
            "review_id", "customer", "email", "title", "body", "rating", "product"
        )
    ) == [
        ("rv-1001", None, "", "", "", 5, "MUG-RED"),
        ("rv-1002", None, "", "", "", 2, "MUG-RED"),
    ]
    assert rows_naming("ann@example.com", "Lovely mug", "coffee", "Ann's mug") == []
    assert Customer.objects.count() == 0
    # the events keep which review each rating belongs to
    assert sorted(
        JourneyEvent.objects.filter(type="REVIEW_SUBMITTED").values_list(
            "payload", flat=True
        ),
        key=lambda payload: payload["review_id"],
    ) == [
        {"review_id": "rv-1001", "rating": 5},
        {"review_id": "rv-1002", "rating": 2},
    ]


def test_a_deleted_account_reported_by_the_store_erases_its_reviews(db, client):
    # given
    event(E.ACCOUNT_CREATED, "user:42:created", user_id="42", email="ann@example.com")
    post(client, body_of())
    drain()

    # when: the store reports the account deleted
    event(E.CUSTOMER_DELETED, "user:42:deleted", user_id="42", email="ann@example.com")
    drain()

    # then
    review = Review.objects.get()
    assert (review.customer_id, review.email, review.title, review.body) == (
        None,
        "",
        "",
        "",
    )


def test_someone_elses_review_is_kept(db, client):
    # given: Ann and Bo each wrote one
    post(client, body_of(), webhook_id="msg_1")
    post(
        client,
        body_of(review_id="rv-2", email="bo@example.com", title="Bo's"),
        webhook_id="msg_2",
    )
    drain()

    # when
    erase_customer(user_id="", email="ann@example.com")

    # then
    assert list(
        Review.objects.order_by("review_id").values_list("review_id", "email", "title")
    ) == [("rv-1001", "", ""), ("rv-2", "bo@example.com", "Bo's")]


def test_a_review_of_an_accounts_email_belongs_to_the_account(db, client):
    # given
    event(E.ACCOUNT_CREATED, "user:7:created", user_id="7", email="bo@example.com")
    drain()

    # when
    post(client, body_of(email="BO@example.com"))
    drain()

    # then
    assert Review.objects.get().customer == Customer.objects.get(user_id="7")


def test_a_guests_review_follows_the_guest_into_an_account(db, client):
    # given: an account under another address, and Bo's review as a guest
    event(E.ACCOUNT_CREATED, "user:7:created", user_id="7", email="old@example.com")
    post(client, body_of(email="bo@example.com"))
    drain()
    guest = Customer.objects.get(email="bo@example.com", user_id__isnull=True)
    assert Review.objects.get().customer == guest

    # when: Bo's guest order; the account confirms Bo's address as its own
    # and the store links the order to it, which merges the guest into it
    event(
        E.ORDER_PLACED,
        "order:b1:placed",
        email="bo@example.com",
        channel="web-usd",
        payload={"order_id": "b1"},
    )
    link_guest_orders("7", "bo@example.com")
    event(E.ACCOUNT_UPDATED, "user:7:email", user_id="7", email="bo@example.com")
    drain()

    # then: one customer, and the review is the account's
    account = Customer.objects.get()
    assert account.user_id == "7"
    assert Review.objects.get().customer == account
