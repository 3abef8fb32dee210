"""The stage rules of the journey model, as a pure function of state and event."""

from dataclasses import dataclass, replace
from datetime import datetime

from .events import REVIEWS, EventType
from .stages import CAN_LAPSE, Stage, rank

# Events that reach a stage outright; orders, reviews and lapses need more context.
_REACHES: dict[EventType, Stage] = {
    EventType.VISIT: Stage.AWARENESS,
    EventType.ACCOUNT_CREATED: Stage.AWARENESS,
    EventType.NEWSLETTER_OPT_IN: Stage.AWARENESS,
    EventType.PRODUCT_VIEWED: Stage.INTEREST,
    EventType.CHECKOUT_STARTED: Stage.INTEREST,
    EventType.CHECKOUT_DETAILS_ADDED: Stage.CONSIDERATION,
    EventType.DELIVERY_METHOD_CHOSEN: Stage.CONSIDERATION,
    EventType.CHECKOUT_PAID: Stage.CONSIDERATION,
    EventType.ORDER_PLACED: Stage.PURCHASE,
    EventType.ORDER_FULFILLED: Stage.RETENTION,
}
LOYAL_RATING = 4


@dataclass(frozen=True)
class JourneyState:
    stage: Stage | None = None
    paid_orders: int = 0
    # Lapse is measured from the later of the last paid order and reaching PURCHASE.
    lapse_clock_from: datetime | None = None


@dataclass(frozen=True)
class Step:
    state: JourneyState
    moved_to: Stage | None = None
    win_back: bool = False


def advance(
    state: JourneyState,
    event_type: EventType,
    occurred_at: datetime,
    *,
    rating: int | None = None,
    lapse_anchor: datetime | None = None,
) -> Step:
    """Apply one event to a journey; ``moved_to`` is set only when the stage changes."""
    if event_type is EventType.ORDER_PAID:
        state = replace(
            state, paid_orders=state.paid_orders + 1, lapse_clock_from=occurred_at
        )

    if state.stage is Stage.LAPSED:
        return _win_back(state, event_type, occurred_at)

    if event_type is EventType.LAPSE_DETECTED:
        return _lapse(state, lapse_anchor)

    target = _target(state, event_type, rating)
    if target is None or rank(target) <= rank(state.stage):
        return Step(state)
    if target in CAN_LAPSE and state.stage not in CAN_LAPSE:
        state = replace(state, lapse_clock_from=occurred_at)
    return Step(replace(state, stage=target), moved_to=target)


def _target(
    state: JourneyState, event_type: EventType, rating: int | None
) -> Stage | None:
    if event_type is EventType.ORDER_PAID:
        return Stage.LOYALTY if state.paid_orders >= 2 else Stage.PURCHASE
    if event_type in REVIEWS:
        return Stage.LOYALTY if rating is not None and rating >= LOYAL_RATING else None
    return _REACHES.get(event_type)


def _win_back(
    state: JourneyState, event_type: EventType, occurred_at: datetime
) -> Step:
    if event_type is EventType.ORDER_PLACED:
        # The new order is a repeat order when an earlier one was paid.
        repeat = state.paid_orders >= 1
    elif event_type is EventType.ORDER_PAID:
        repeat = state.paid_orders >= 2
    else:
        return Step(state)
    target = Stage.LOYALTY if repeat else Stage.PURCHASE
    won = replace(state, stage=target, lapse_clock_from=occurred_at)
    return Step(won, moved_to=target, win_back=True)


def _lapse(state: JourneyState, anchor: datetime | None) -> Step:
    # A lapse decided on an older clock is stale: the customer has ordered since.
    if state.stage not in CAN_LAPSE or state.lapse_clock_from is None:
        return Step(state)
    if anchor is not None and state.lapse_clock_from > anchor:
        return Step(state)
    return Step(replace(state, stage=Stage.LAPSED), moved_to=Stage.LAPSED)
