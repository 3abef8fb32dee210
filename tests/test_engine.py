"""The stage rules as a pure function: every rule of the journey model."""

from datetime import UTC, datetime, timedelta

import pytest

from saleor_journey_plugin.core.engine import JourneyState, advance
from saleor_journey_plugin.core.events import EventType
from saleor_journey_plugin.core.stages import Stage

NOW = datetime(2026, 5, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("event_type", "expected"),
    [
        (EventType.VISIT, Stage.AWARENESS),
        (EventType.ACCOUNT_CREATED, Stage.AWARENESS),
        (EventType.NEWSLETTER_OPT_IN, Stage.AWARENESS),
        (EventType.PRODUCT_VIEWED, Stage.INTEREST),
        (EventType.CHECKOUT_STARTED, Stage.INTEREST),
        (EventType.CHECKOUT_DETAILS_ADDED, Stage.CONSIDERATION),
        (EventType.DELIVERY_METHOD_CHOSEN, Stage.CONSIDERATION),
        (EventType.ORDER_PLACED, Stage.PURCHASE),
        (EventType.ORDER_PAID, Stage.PURCHASE),
        (EventType.ORDER_FULFILLED, Stage.RETENTION),
    ],
)
def test_event_reaches_its_stage_from_nowhere(event_type, expected):
    # when
    step = advance(JourneyState(), event_type, NOW)

    # then
    assert step.moved_to is expected
    assert step.state.stage is expected


@pytest.mark.parametrize(
    "event_type",
    [
        EventType.ORDER_CANCELLED,
        EventType.ORDER_REFUNDED,
        EventType.CHECKOUT_ABANDONED,
        EventType.UNSUBSCRIBED,
    ],
)
def test_pain_points_never_move_a_customer_backwards(event_type):
    # given
    state = JourneyState(stage=Stage.RETENTION, paid_orders=1, lapse_clock_from=NOW)

    # when
    step = advance(state, event_type, NOW)

    # then
    assert step.moved_to is None
    assert step.state == state


def test_stages_only_move_forward():
    # given
    state = JourneyState(stage=Stage.CONSIDERATION)

    # when
    step = advance(state, EventType.PRODUCT_VIEWED, NOW)

    # then
    assert step.moved_to is None
    assert step.state.stage is Stage.CONSIDERATION


def test_second_paid_order_reaches_loyalty():
    # given
    first = advance(JourneyState(), EventType.ORDER_PAID, NOW).state

    # when
    step = advance(first, EventType.ORDER_PAID, NOW + timedelta(days=3))

    # then
    assert first.stage is Stage.PURCHASE
    assert step.moved_to is Stage.LOYALTY
    assert step.state.paid_orders == 2
    assert step.state.lapse_clock_from == NOW + timedelta(days=3)


@pytest.mark.parametrize(
    ("rating", "expected"), [(5, Stage.LOYALTY), (4, Stage.LOYALTY)]
)
def test_good_review_reaches_loyalty(rating, expected):
    step = advance(
        JourneyState(stage=Stage.RETENTION),
        EventType.REVIEW_SUBMITTED,
        NOW,
        rating=rating,
    )

    assert step.moved_to is expected


@pytest.mark.parametrize("rating", [1, 2, 3])
def test_other_reviews_keep_the_stage(rating):
    step = advance(
        JourneyState(stage=Stage.RETENTION),
        EventType.REVIEW_SUBMITTED,
        NOW,
        rating=rating,
    )

    assert step.moved_to is None


def test_lapse_applies_to_buyers_only():
    # given
    buyer = JourneyState(stage=Stage.RETENTION, paid_orders=1, lapse_clock_from=NOW)
    browser = JourneyState(stage=Stage.CONSIDERATION)

    # when
    lapsed = advance(
        buyer, EventType.LAPSE_DETECTED, NOW + timedelta(days=91), lapse_anchor=NOW
    )
    not_lapsed = advance(browser, EventType.LAPSE_DETECTED, NOW, lapse_anchor=NOW)

    # then
    assert lapsed.moved_to is Stage.LAPSED
    assert not_lapsed.moved_to is None


def test_stale_lapse_is_ignored_after_a_newer_order():
    # given: the clock moved on after the lapse was decided
    state = JourneyState(stage=Stage.LOYALTY, paid_orders=2, lapse_clock_from=NOW)

    # when
    step = advance(
        state, EventType.LAPSE_DETECTED, NOW, lapse_anchor=NOW - timedelta(days=1)
    )

    # then
    assert step.moved_to is None


def test_lapsed_customer_ignores_everything_but_orders():
    state = JourneyState(stage=Stage.LAPSED, paid_orders=1, lapse_clock_from=NOW)

    for event_type in (
        EventType.VISIT,
        EventType.ORDER_FULFILLED,
        EventType.PRODUCT_VIEWED,
    ):
        assert advance(state, event_type, NOW).moved_to is None
    assert advance(state, EventType.REVIEW_SUBMITTED, NOW, rating=5).moved_to is None


def test_win_back_with_a_repeat_order_reaches_loyalty():
    # given
    state = JourneyState(stage=Stage.LAPSED, paid_orders=1, lapse_clock_from=NOW)

    # when
    step = advance(state, EventType.ORDER_PLACED, NOW + timedelta(days=100))

    # then
    assert step.moved_to is Stage.LOYALTY
    assert step.win_back is True
    assert step.state.lapse_clock_from == NOW + timedelta(days=100)


def test_win_back_without_an_earlier_paid_order_reaches_purchase():
    # given: lapsed after an order that was never paid
    state = JourneyState(stage=Stage.LAPSED, paid_orders=0, lapse_clock_from=NOW)

    # when
    step = advance(state, EventType.ORDER_PLACED, NOW + timedelta(days=100))

    # then
    assert step.moved_to is Stage.PURCHASE
    assert step.win_back is True


def test_reaching_purchase_starts_the_lapse_clock():
    # given
    state = JourneyState(stage=Stage.CONSIDERATION)

    # when
    step = advance(state, EventType.ORDER_PLACED, NOW)

    # then
    assert step.state.lapse_clock_from == NOW
