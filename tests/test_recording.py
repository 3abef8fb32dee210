"""Several events in one INSERT: duplicates skipped, conditions asked by it."""

from dataclasses import replace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone
from django.utils.crypto import salted_hmac

from saleor_journey_plugin.core.events import EventType, JourneyEventData
from saleor_journey_plugin.core.recording import (
    KEY_SALT,
    Condition,
    record_event,
    record_events,
    stored_key,
)
from saleor_journey_plugin.models import JourneyEvent

from .conftest import CHANNEL, T0


def _event(key: str, event_type=EventType.CHECKOUT_STARTED) -> JourneyEventData:
    return JourneyEventData(
        type=event_type,
        idempotency_key=key,
        occurred_at=T0,
        channel=CHANNEL,
        email="Cart@Example.com",
        payload={"checkout": "c1"},
    )


def test_one_statement_writes_the_new_events_and_skips_the_logged_ones(db):
    # given: one of three milestones logged before
    logged = record_event(_event("checkout:c1:started"))

    # when
    with CaptureQueriesContext(connection) as queries:
        ids = record_events(
            [
                _event("checkout:c1:started"),
                _event("checkout:c1:details", EventType.CHECKOUT_DETAILS_ADDED),
                _event("checkout:c1:details", EventType.CHECKOUT_DETAILS_ADDED),
                _event("checkout:c1:delivery", EventType.DELIVERY_METHOD_CHOSEN),
            ],
            customer_id=None,
        )

    # then: one statement; new ids where new, None for the logged one and for
    # the second copy of the same fact
    assert len(queries) == 1
    assert ids[0] is None and ids[2] is None
    assert ids[1] is not None and ids[3] is not None
    rows = JourneyEvent.objects.order_by("id")
    assert [(row.pk, row.type, row.email, row.payload) for row in rows] == [
        (logged, "CHECKOUT_STARTED", "cart@example.com", {"checkout": "c1"}),
        (ids[1], "CHECKOUT_DETAILS_ADDED", "cart@example.com", {"checkout": "c1"}),
        (ids[3], "DELIVERY_METHOD_CHOSEN", "cart@example.com", {"checkout": "c1"}),
    ]
    assert rows[1].occurred_at == T0
    assert rows[1].idempotency_key == stored_key("checkout:c1:details")


def test_an_event_whose_condition_fails_is_not_written(db):
    # when: the started milestone needs a row that does not exist, the details
    # one a row that does
    exists = Condition(
        "EXISTS (SELECT 1 FROM journey_event WHERE idempotency_key = %s)",
        (stored_key("checkout:c1:details"),),
    )
    record_event(_event("checkout:c1:details", EventType.CHECKOUT_DETAILS_ADDED))
    missing = Condition(
        "EXISTS (SELECT 1 FROM journey_event WHERE idempotency_key = %s)",
        (stored_key("nothing"),),
    )
    ids = record_events(
        [
            _event("checkout:c1:started"),
            _event("checkout:c1:delivery", EventType.DELIVERY_METHOD_CHOSEN),
        ],
        only_if={"checkout:c1:started": missing, "checkout:c1:delivery": exists},
    )

    # then
    assert ids[0] is None and ids[1] is not None
    assert sorted(JourneyEvent.objects.values_list("type", flat=True)) == [
        "CHECKOUT_DETAILS_ADDED",
        "DELIVERY_METHOD_CHOSEN",
    ]


def test_a_customer_given_by_the_caller_is_kept(db, store):
    # given
    store.event(EventType.ACCOUNT_CREATED, "user:1:created", user_id="1")
    customer_id = JourneyEvent.objects.get().customer_id

    # when
    [event_id] = record_events([_event("click:1")], customer_id=customer_id)

    # then
    assert JourneyEvent.objects.get(pk=event_id).customer_id == customer_id


def test_stored_keys_are_hmacs_of_the_site_secret_as_migration_0005_wrote_them():
    # Migration 0005 hashed the keys already logged with Django's
    # salted_hmac(KEY_SALT, key, "sha256"); a redelivery must find them.
    def salted(secret: str, key: str) -> str:
        return salted_hmac(KEY_SALT, key, secret, algorithm="sha256").hexdigest()

    with override_settings(SECRET_KEY="first secret"):
        first = stored_key("order:\u00e9t\u00e9:placed")
    with override_settings(SECRET_KEY="second secret"):
        second = stored_key("order:\u00e9t\u00e9:placed")

    assert first == salted("first secret", "order:\u00e9t\u00e9:placed")
    assert second == salted("second secret", "order:\u00e9t\u00e9:placed")
    assert first != second


def test_a_naive_time_is_stored_as_django_stores_one(db):
    # given: an event whose time has no zone (an adapter's mistake)
    naive = T0.replace(tzinfo=None)

    # when: it is recorded (Django warns of it, as for a model's save)
    with pytest.warns(RuntimeWarning, match="naive datetime"):
        [event_id] = record_events([replace(_event("naive:1"), occurred_at=naive)])

    # then: it is the same wall time in the site's time zone
    stored = JourneyEvent.objects.get(pk=event_id).occurred_at
    assert stored == timezone.make_aware(naive)
