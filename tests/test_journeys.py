"""Events through the log into journeys, on PostgreSQL."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Count

from example_store.purchases import link_guest_orders
from saleor_journey_plugin.core.events import EventType as E
from saleor_journey_plugin.core.lapse import record_lapses
from saleor_journey_plugin.core.processing import drain, process_event
from saleor_journey_plugin.core.recording import stored_key
from saleor_journey_plugin.models import (
    Customer,
    Journey,
    JourneyEvent,
    StageTransition,
)

from .conftest import CHANNEL


def history(journey):
    return list(
        journey.transitions.order_by("occurred_at", "id").values_list(
            "from_stage", "to_stage"
        )
    )


def test_full_journey_records_every_transition_with_its_cause(store):
    # given
    who = {"user_id": "42", "email": "ann@example.com"}

    # when
    store.event(E.ACCOUNT_CREATED, "user:42:created", **who, channel="")
    store.event(E.PRODUCT_VIEWED, "view:1", **who, days=1)
    store.event(E.CHECKOUT_STARTED, "checkout:a:started", **who, days=1)
    store.event(E.CHECKOUT_DETAILS_ADDED, "checkout:a:details", **who)
    store.event(E.ORDER_PLACED, "order:1:placed", **who)
    store.event(E.ORDER_PAID, "order:1:paid", **who)
    store.event(E.ORDER_FULFILLED, "order:1:fulfilled", **who, days=2)
    store.event(E.ORDER_PLACED, "order:2:placed", **who, days=10)
    store.event(E.ORDER_PAID, "order:2:paid", **who)

    # then
    journey = Journey.objects.get(customer__user_id="42", channel=CHANNEL)
    assert journey.stage == "LOYALTY"
    assert journey.paid_orders == 2
    assert history(journey) == [
        (None, "AWARENESS"),
        ("AWARENESS", "INTEREST"),
        ("INTEREST", "CONSIDERATION"),
        ("CONSIDERATION", "PURCHASE"),
        ("PURCHASE", "RETENTION"),
        ("RETENTION", "LOYALTY"),
    ]
    causes = list(
        journey.transitions.order_by("occurred_at", "id").values_list(
            "event__idempotency_key", flat=True
        )
    )
    assert causes == [
        stored_key(key)
        for key in (
            "user:42:created",
            "view:1",
            "checkout:a:details",
            "order:1:placed",
            "order:1:fulfilled",
            "order:2:paid",
        )
    ]


@pytest.fixture
def krw_keeps_to_its_own_shoppers(settings):
    settings.JOURNEY_CHANNELS = {
        **settings.JOURNEY_CHANNELS,
        "web-krw": {
            **settings.JOURNEY_CHANNELS["web-krw"],
            "count_new_accounts": False,
        },
    }


def test_new_account_enters_the_funnel_of_channels_that_count_new_accounts(
    store, krw_keeps_to_its_own_shoppers
):
    # given: web-usd counts new accounts (the default), web-krw does not
    who = {"user_id": "1", "email": "a@example.com"}

    # when: the account is created (Saleor reports it with no channel)
    store.event(E.ACCOUNT_CREATED, "user:1:created", **who, channel="")

    # then: AWARENESS in web-usd from that moment, nothing in web-krw
    journey = Journey.objects.get()
    assert (journey.channel, journey.stage, journey.stage_entered_at) == (
        CHANNEL,
        "AWARENESS",
        store.clock,
    )
    assert list(journey.transitions.values_list("from_stage", "to_stage")) == [
        (None, "AWARENESS")
    ]


@pytest.fixture
def every_channel_counts_new_accounts(settings):
    settings.JOURNEY_CHANNELS = {
        name: {**channel, "count_new_accounts": True}
        for name, channel in settings.JOURNEY_CHANNELS.items()
    }


def test_new_account_enters_every_counting_channel_once_in_a_batch(
    store, every_channel_counts_new_accounts
):
    # given: two accounts created, waiting together for one batch
    for n in (1, 2):
        store.event(
            E.ACCOUNT_CREATED,
            f"user:{n}:created",
            user_id=str(n),
            email=f"{n}@example.com",
            channel="",
            process=False,
        )

    # when
    assert drain() == 2

    # then: each has an AWARENESS journey in both channels (both count)
    assert sorted(
        Journey.objects.values_list("customer__user_id", "channel", "stage")
    ) == [
        ("1", "web-krw", "AWARENESS"),
        ("1", "web-usd", "AWARENESS"),
        ("2", "web-krw", "AWARENESS"),
        ("2", "web-usd", "AWARENESS"),
    ]


def test_account_created_waits_for_the_customers_first_channel_where_not_counted(
    store, krw_keeps_to_its_own_shoppers
):
    # given: a new account, counted in web-usd only
    who = {"user_id": "1", "email": "a@example.com"}
    store.event(E.ACCOUNT_CREATED, "user:1:created", **who, channel="")
    assert list(Journey.objects.values_list("channel", flat=True)) == [CHANNEL]

    # when: the customer views a product in web-krw
    store.event(E.PRODUCT_VIEWED, "view:1", **who, days=1, channel="web-krw")

    # then: that journey starts with the account, at the time it was created
    journey = Journey.objects.get(channel="web-krw")
    causes = journey.transitions.order_by("occurred_at", "id").values_list(
        "from_stage", "to_stage", "event__idempotency_key"
    )
    assert list(causes) == [
        (None, "AWARENESS", stored_key("user:1:created")),
        ("AWARENESS", "INTEREST", stored_key("view:1")),
    ]


def test_customer_wide_event_joins_every_journey_the_customer_has(store):
    # given: a guest known in two channels
    store.event(E.VISIT, "visit:1", email="two@example.com")
    store.event(E.VISIT, "visit:2", email="two@example.com", channel="web-krw")

    # when
    store.event(
        E.REVIEW_SUBMITTED,
        "review:1",
        email="two@example.com",
        channel="",
        payload={"rating": 5},
    )

    # then
    assert sorted(Journey.objects.values_list("channel", "stage")) == [
        ("web-krw", "LOYALTY"),
        ("web-usd", "LOYALTY"),
    ]


def test_guest_who_buys_at_once_skips_stages_without_inventing_them(store):
    # when
    store.event(E.ORDER_PLACED, "order:9:placed", email="guest@example.com")

    # then
    journey = Journey.objects.get()
    assert journey.stage == "PURCHASE"
    assert history(journey) == [(None, "PURCHASE")]


def test_same_event_delivered_five_times_changes_stage_and_history_once(store):
    # when
    ids = [
        store.event(E.ORDER_PLACED, "order:5:placed", email="b@example.com")
        for _ in range(5)
    ]

    # then
    assert ids[0] is not None
    assert ids[1:] == [None, None, None, None]
    assert JourneyEvent.objects.count() == 1
    assert StageTransition.objects.count() == 1
    assert Journey.objects.get().paid_orders == 0


def test_processing_the_same_event_twice_applies_it_once(store):
    # given
    event_id = store.event(
        E.ORDER_PAID, "order:5:paid", email="b@example.com", process=False
    )

    # when
    first, second = process_event(event_id), process_event(event_id)

    # then
    assert (first, second) == (True, False)
    journey = Journey.objects.get()
    assert journey.paid_orders == 1
    assert StageTransition.objects.count() == 1


def test_emails_compare_case_insensitively_after_trimming(store):
    # when
    store.event(E.CHECKOUT_STARTED, "c:1", email="  Mixed@Example.COM ")
    store.event(E.ORDER_PLACED, "o:1", email="mixed@example.com")

    # then
    assert list(Customer.objects.values_list("email", flat=True)) == [
        "mixed@example.com"
    ]
    assert Journey.objects.get().stage == "PURCHASE"


def test_a_guest_registering_later_joins_the_account_once_her_orders_are_linked(
    store,
):
    # given: a guest bought; she registers with her address
    store.event(
        E.ORDER_PLACED,
        "order:1:placed",
        email="Guest@Example.com",
        payload={"order_id": "1"},
    )
    store.event(E.ORDER_PAID, "order:1:paid", email="guest@example.com")
    store.event(
        E.ACCOUNT_CREATED,
        "user:77:created",
        user_id="77",
        email="guest@example.com",
        channel="",
        days=5,
    )
    # registering proves nothing about the address: the store links nothing
    assert set(Customer.objects.values_list("email", "user_id")) == {
        ("guest@example.com", "77"),
        ("guest@example.com", None),
    }

    # when: she confirms the address, and the store links her order
    link_guest_orders("77", "guest@example.com")
    store.event(
        E.ACCOUNT_UPDATED,
        "user:77:confirmed",
        user_id="77",
        email="guest@example.com",
        channel="",
        days=1,
    )

    # then
    customer = Customer.objects.get()
    assert customer.user_id == "77"
    journey = Journey.objects.get(channel=CHANNEL)
    assert journey.stage == "PURCHASE"
    assert journey.paid_orders == 1
    assert JourneyEvent.objects.filter(customer=customer).count() == 4


def test_merge_of_a_guest_into_an_existing_account_replays_one_history(store):
    # given: the account already has an order, the guest has another
    store.event(E.ORDER_PLACED, "order:1:placed", user_id="5", email="")
    store.event(E.ORDER_PAID, "order:1:paid", user_id="5", email="", days=1)
    store.event(
        E.ORDER_PLACED,
        "order:2:placed",
        email="pat@example.com",
        days=1,
        payload={"order_id": "2"},
    )
    store.event(E.ORDER_PAID, "order:2:paid", email="pat@example.com")
    assert Customer.objects.count() == 2

    # when: the account's owner confirms the guest's address as the account's
    link_guest_orders("5", "pat@example.com")
    store.event(
        E.ACCOUNT_UPDATED,
        "user:5:email",
        user_id="5",
        email="pat@example.com",
        channel="",
        days=1,
    )

    # then
    customer = Customer.objects.get()
    journey = Journey.objects.get()
    assert customer.user_id == "5"
    assert journey.paid_orders == 2
    assert journey.stage == "LOYALTY"
    assert history(journey) == [(None, "PURCHASE"), ("PURCHASE", "LOYALTY")]
    counted = JourneyEvent.objects.values("idempotency_key").annotate(n=Count("id"))
    assert {row["n"] for row in counted} == {1}


def test_a_lapse_checked_before_the_guest_merged_follows_it_into_the_account(
    store,
):
    # given: an account without an email, and a guest who bought in March; in
    # April the account confirms the guest's address (the store links her
    # order), and the lapse check finds the guest's journey lapsed in June,
    # before the worker applied the confirmation
    store.event(E.VISIT, "visit:8", user_id="8")
    store.event(
        E.ORDER_PLACED,
        "order:1:placed",
        email="gia@example.com",
        payload={"order_id": "1"},
    )
    store.event(E.ORDER_PAID, "order:1:paid", email="gia@example.com")
    account = Customer.objects.get(user_id="8")
    link_guest_orders("8", "gia@example.com")
    store.event(
        E.ACCOUNT_UPDATED,
        "user:8:email",
        user_id="8",
        email="gia@example.com",
        channel="",
        days=30,
        process=False,
    )
    (lapse,) = record_lapses(now=store.clock + timedelta(days=70))

    # when: one batch applies both, the confirmation (older) first
    drain()

    # then: the lapse, recorded for the guest, is the account's: the batch
    # took its customer from the table after the merge, not from before it
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert list(Customer.objects.values_list("pk", flat=True)) == [account.pk]
    assert JourneyEvent.objects.get(pk=lapse).customer_id == account.pk
    assert Journey.objects.get(channel=CHANNEL).stage == "LAPSED"


def test_cancelled_order_is_a_pain_point_at_its_stage(store):
    # given
    store.event(E.ORDER_PLACED, "order:1:placed", email="c@example.com")

    # when
    store.event(E.ORDER_CANCELLED, "order:1:cancelled", email="c@example.com", days=1)

    # then
    assert Journey.objects.get().stage == "PURCHASE"
    cancelled = JourneyEvent.objects.get(type="ORDER_CANCELLED")
    assert cancelled.stage == "PURCHASE"


def test_lapse_after_configured_days_and_win_back(store):
    # given: web-usd lapses after 90 days
    store.event(E.ORDER_PLACED, "order:1:placed", email="d@example.com")
    store.event(E.ORDER_PAID, "order:1:paid", email="d@example.com")
    paid_at = store.clock

    # when: 89 days pass, then 91
    early = record_lapses(now=paid_at + timedelta(days=89))
    late = record_lapses(now=paid_at + timedelta(days=91))
    again = record_lapses(now=paid_at + timedelta(days=92))
    for event_id in late:
        process_event(event_id)

    # then
    assert early == []
    assert len(late) == 1
    assert again == []
    journey = Journey.objects.get()
    assert journey.stage == "LAPSED"

    # when: the customer orders again
    store.event(E.ORDER_PLACED, "order:2:placed", email="d@example.com", days=100)

    # then
    journey.refresh_from_db()
    assert journey.stage == "LOYALTY"
    last = journey.transitions.order_by("-occurred_at").first()
    assert (last.from_stage, last.to_stage, last.win_back) == (
        "LAPSED",
        "LOYALTY",
        True,
    )


def test_lapse_uses_each_channels_own_limit(store):
    # given: web-krw lapses after 60 days
    store.event(E.ORDER_PAID, "order:1:paid", email="k@example.com", channel="web-krw")

    # when
    lapsed = record_lapses(now=store.clock + timedelta(days=61))

    # then
    assert len(lapsed) == 1


def test_deletion_erases_journey_and_anonymises_events(store):
    # given: the account's order, and a guest's with an address the account
    # never had
    who = {"user_id": "8", "email": "erase@example.com"}
    store.event(
        E.ORDER_PLACED,
        "order:1:placed",
        **who,
        payload={"total": "10.00", "currency": "USD", "order_id": "1"},
    )
    store.event(
        E.ORDER_PLACED,
        "order:2:placed",
        email="erase@example.com",
        payload={"total": "5.00"},
        channel="web-krw",
    )
    guest = Customer.objects.get(user_id=None)

    # when
    store.event(E.CUSTOMER_DELETED, "user:8:deleted", **who, channel="")

    # then: the account is gone; the guest is not the account
    assert list(Customer.objects.values_list("pk", flat=True)) == [guest.pk]
    assert list(Journey.objects.values_list("customer_id", flat=True)) == [guest.pk]
    assert StageTransition.objects.filter(journey__customer=guest).count() == 1
    assert StageTransition.objects.count() == 1
    rows = list(
        JourneyEvent.objects.order_by("id").values_list(
            "email", "user_id", "customer_id", "payload"
        )
    )
    assert rows == [
        ("", "", None, {"total": "10.00", "currency": "USD", "order_id": "1"}),
        ("erase@example.com", "", guest.pk, {"total": "5.00"}),
        ("", "", None, {}),
    ]


def test_event_without_identity_is_logged_and_touches_no_journey(store):
    # when
    event_id = store.event(E.CHECKOUT_STARTED, "checkout:anon:started")

    # then
    event = JourneyEvent.objects.get(pk=event_id)
    assert event.processed_at is not None
    assert Journey.objects.count() == 0


def test_a_guest_and_a_registration_with_her_address_in_one_batch_stay_two(store):
    # given: a guest's order, then an account registered with the address
    # (unconfirmed: the store links nothing), waiting together for one batch
    store.event(
        E.ORDER_PLACED,
        "order:1:placed",
        email="Batch@Example.com",
        payload={"order_id": "1"},
        process=False,
    )
    store.event(
        E.ACCOUNT_CREATED,
        "user:9:created",
        user_id="9",
        email="batch@example.com",
        channel="",
        process=False,
    )

    # when
    drain()

    # then: the registration claims nothing
    assert set(Customer.objects.values_list("email", "user_id", "journeys__stage")) == {
        ("batch@example.com", "9", "AWARENESS"),
        ("batch@example.com", None, "PURCHASE"),
    }


def test_account_and_its_email_only_events_in_one_batch_stay_one_customer(store):
    # given: a new account, its first order, then a guest-style event for its
    # email
    store.event(
        E.ACCOUNT_CREATED,
        "user:3:created",
        user_id="3",
        email="acc@example.com",
        channel="",
        process=False,
    )
    store.event(
        E.ORDER_PLACED,
        "order:1:placed",
        user_id="3",
        email="acc@example.com",
        process=False,
    )
    store.event(E.ORDER_PAID, "order:1:paid", email="acc@example.com", process=False)

    # when
    drain()

    # then
    assert list(Customer.objects.values_list("user_id", "email")) == [
        ("3", "acc@example.com")
    ]
    assert Journey.objects.get(channel=CHANNEL).paid_orders == 1
