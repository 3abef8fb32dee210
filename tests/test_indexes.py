"""The event table's indexes: each one earns its write cost, and the scans use them."""

import pytest
from django.db import connection
from django.db.models.fields.json import KeyTextTransform

from saleor_journey_plugin.core.events import EventType as E
from saleor_journey_plugin.models import JourneyEvent


def index_definitions(table: str) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table]
        )
        return {name: definition.split(" USING ")[1] for name, definition in cursor}


def test_event_table_has_no_index_a_longer_one_already_serves(db):
    # when
    indexes = index_definitions("journey_event")

    # then: customer_id is served by (customer_id, channel, occurred_at)
    assert sorted(indexes.values()) == sorted(
        [
            "btree (id)",
            "btree (idempotency_key)",
            "btree (idempotency_key varchar_pattern_ops)",
            "btree (occurred_at, id) WHERE (processed_at IS NULL)",
            "btree (customer_id, channel, occurred_at)",
            "btree (type, occurred_at)",
            "btree (((payload ->> 'checkout'::text)), type)",
        ]
    )


@pytest.mark.parametrize("event_type", [E.ORDER_PLACED, E.CHECKOUT_ABANDONED])
def test_events_of_a_checkout_are_found_by_token_on_an_index(db, event_type):
    # given: the lookup the abandonment scan makes per checkout (an order placed
    # from it, or an abandonment reported before)
    lookup = JourneyEvent.objects.annotate(
        token=KeyTextTransform("checkout", "payload")
    ).filter(type=event_type.value, token="6f1d2c3b-token")

    # when
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = lookup.explain()

    # then
    assert "Index Scan using journey_event_checkout on journey_event" in plan
    assert "Index Cond: (((payload ->> 'checkout'::text) = '6f1d2c3b-token'" in plan


def test_the_period_and_cohort_indexes_cover_what_the_reports_read(db):
    # when
    indexes = index_definitions("journey_stage_transition")

    # then: time in stage and the lapses read a period's transitions, the funnel
    # a cohort's, from the index alone (no row fetched from the table)
    assert indexes["journey_transition_when"] == (
        "btree (channel, occurred_at) "
        "INCLUDE (from_stage, entered_from_at, to_stage, win_back)"
    )
    assert indexes["journey_transition_cohort"] == (
        "btree (channel, cohort_at) INCLUDE (reached_rank, occurred_at, left_at, "
        "from_stage, to_stage, entered_from_at)"
    )


def test_a_duration_buckets_transitions_lie_together_in_an_index(db):
    # when
    indexes = index_definitions("journey_stage_transition")

    # then: time in stage sorts one bucket's transitions of a period, the
    # funnel one bucket's of a cohort
    assert indexes["journey_transition_left_bucket"] == (
        "btree (channel, from_stage, "
        "journey_duration_bucket(entered_from_at, occurred_at), occurred_at) "
        "INCLUDE (entered_from_at) WHERE (entered_from_at IS NOT NULL)"
    )
    assert indexes["journey_transition_step_bucket"] == (
        "btree (channel, to_stage, "
        "journey_duration_bucket(entered_from_at, occurred_at), cohort_at) "
        "INCLUDE (from_stage, occurred_at, entered_from_at) "
        "WHERE (entered_from_at IS NOT NULL)"
    )
