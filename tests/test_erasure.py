"""Deleting a customer leaves no trace of the person in any of the plugin's tables."""

from datetime import timedelta

import pytest
from django.db import connection

from example_store.host import issue_token
from saleor_journey_plugin.core.erasure import (
    SCRUB_PROCESSED,
    SCRUB_WAITING_ACCOUNT,
    SCRUB_WAITING_GUEST,
)
from saleor_journey_plugin.core.events import EventType as E
from saleor_journey_plugin.core.events import JourneyEventData, Source
from saleor_journey_plugin.core.processing import drain
from saleor_journey_plugin.core.recording import record_event
from saleor_journey_plugin.models import Customer, Journey, JourneyEvent

from .conftest import T0
from .graphql.api import graphql

EMAIL = "erase.me@example.com"
USER_ID = "77"
VISITOR = "3c1f9a7e-erase-me"
TRACK = """
mutation($input: JourneyTrackInput!) { trackJourneyEvent(input: $input) { recorded } }
"""


def record(event_type, key, *, minutes, **fields):
    return record_event(
        JourneyEventData(
            type=event_type,
            idempotency_key=key,
            occurred_at=T0 + timedelta(minutes=minutes),
            channel=fields.pop("channel", "web-usd"),
            **fields,
        )
    )


def rows_naming(*needles: str) -> list[tuple[str, str, str]]:
    """(table, column, value) of every text or json value in the plugin's tables
    that contains one of ``needles``, whatever the case."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name LIKE 'journey%%' "
            "AND data_type IN ('text', 'character varying', 'jsonb', 'json')"
        )
        columns = cursor.fetchall()
        found = []
        for table, column in columns:
            for needle in needles:
                cursor.execute(
                    f'SELECT "{column}"::text FROM "{table}" '
                    f'WHERE "{column}"::text ILIKE %s',
                    [f"%{needle}%"],
                )
                found += [(table, column, value) for (value,) in cursor.fetchall()]
    return found


@pytest.fixture
def person(db):
    """One person seen every way the plugin can see someone."""
    account = {"user_id": USER_ID, "email": EMAIL}
    record(
        E.ACCOUNT_CREATED, f"user:{USER_ID}:created", minutes=0, channel="", **account
    )
    record(
        E.VISIT,
        f"track:web-usd:user:{USER_ID}:{EMAIL}",
        minutes=1,
        source=Source(
            utm_source=f"mail-{EMAIL}",
            utm_medium=EMAIL,
            utm_campaign=f"promo {EMAIL}",
            referrer=f"https://mail.example/?to={EMAIL}",
            search_term=EMAIL,
        ),
        payload={"product_id": EMAIL},
        **account,
    )
    record(
        E.ORDER_PLACED,
        "order:1:placed",
        minutes=2,
        payload={"total": "10.00", "currency": "USD", "order_id": "1", "note": EMAIL},
        **account,
    )
    # an order in another channel naming only the address (the account's
    # own: it is the account's), and a visitor who typed the address
    record(E.ORDER_PLACED, "order:2:placed", minutes=3, email=EMAIL, channel="web-krw")
    record(
        E.NEWSLETTER_OPT_IN_REQUESTED,
        f"track:web-usd:visitor:{VISITOR}:{EMAIL}",
        minutes=4,
        email=EMAIL,
        visitor_id=VISITOR,
    )
    drain()
    # and a later event, still waiting when the deletion is processed
    record(E.PRODUCT_VIEWED, "view:late", minutes=7, **account)
    assert rows_naming(EMAIL, VISITOR)  # the person is there to erase
    return account


def test_deletion_leaves_the_person_in_no_text_column(person):
    # when
    record(
        E.CUSTOMER_DELETED, f"user:{USER_ID}:deleted", minutes=6, channel="", **person
    )
    drain()

    # then: no email or user id of the account anywhere, keys included; the
    # visitor who typed the address is not the account (anyone can type one)
    # and keeps its own record and event, without the address
    assert sorted(rows_naming(EMAIL, VISITOR)) == [
        ("journey_customer", "visitor_id", VISITOR),
        ("journey_event", "visitor_id", VISITOR),
    ]
    assert JourneyEvent.objects.filter(user_id=USER_ID).count() == 0
    assert list(Customer.objects.values_list("visitor_id", flat=True)) == [VISITOR]
    assert list(Journey.objects.values_list("customer__visitor_id", flat=True)) == [
        VISITOR
    ]
    # what the store's totals need survives
    assert sorted(
        JourneyEvent.objects.exclude(payload={}).values_list("payload", flat=True),
        key=str,
    ) == [{"currency": "USD", "total": "10.00", "order_id": "1"}]
    assert JourneyEvent.objects.count() == 7


def test_deletion_scrubs_every_free_text_field(person):
    # when
    record(
        E.CUSTOMER_DELETED, f"user:{USER_ID}:deleted", minutes=6, channel="", **person
    )
    drain()

    # then
    assert set(
        JourneyEvent.objects.values_list(
            "user_id",
            "email",
            "visitor_id",
            "utm_source",
            "utm_medium",
            "utm_campaign",
            "referrer",
            "search_term",
            "last_error",
            "customer__visitor_id",
        )
    ) == {
        ("", "", "", "", "", "", "", "", "", None),
        ("", "", VISITOR, "", "", "", "", "", "", VISITOR),
    }


def test_a_resend_after_erasure_reveals_nothing_about_the_address(db, client):
    # given: a visitor who gave an address, then was erased with it
    visit = {
        "eventType": "VISIT",
        "eventId": "v1",
        "visitorId": VISITOR,
        "email": EMAIL,
    }
    graphql(client, TRACK, {"input": visit})
    drain()
    record(E.CUSTOMER_DELETED, "user:9:deleted", minutes=0, channel="", email=EMAIL)
    drain()

    # when: someone else sends the same event id with the same address
    probe = {**visit, "visitorId": "4d5e6f70-prober"}
    response = graphql(client, TRACK, {"input": probe})

    # then: the key is per visitor, so it says nothing about the address
    assert response.json() == {"data": {"trackJourneyEvent": {"recorded": True}}}


@pytest.mark.parametrize(
    "statement", [SCRUB_PROCESSED, SCRUB_WAITING_ACCOUNT, SCRUB_WAITING_GUEST]
)
def test_erasure_reads_the_event_table_through_indexes(db, statement):
    # given: the planner told that a sequential scan is a last resort
    params = {
        "kept": ["total"],
        "customers": [1, 2],
        "user_id": USER_ID,
        "email": EMAIL,
    }
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")

        # when
        cursor.execute("EXPLAIN " + statement, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    # then: an index serves it (with no usable index the plan keeps the seq scan)
    assert "Seq Scan on journey_event" not in plan
    assert "Index" in plan


def test_staff_can_no_longer_find_an_erased_customer(person, client):
    # given
    record(
        E.CUSTOMER_DELETED, f"user:{USER_ID}:deleted", minutes=6, channel="", **person
    )
    drain()

    # when
    response = graphql(
        client,
        '{ customerJourney(email: "erase.me@example.com") { stage } }',
        token=issue_token(permissions=["MANAGE_USERS"]),
    )

    # then
    assert response.json() == {"data": {"customerJourney": None}}
