"""The three campaign kinds as data: what starts them and what stops them."""

from dataclasses import dataclass
from enum import StrEnum

from ..core.events import EventType


class Kind(StrEnum):
    ABANDONED_CHECKOUT = "abandoned_checkout"
    WIN_BACK = "win_back"
    REVIEW_REQUEST = "review_request"


@dataclass(frozen=True)
class KindSpec:
    kind: Kind
    # Journey events that schedule the kind's steps (and, for a checkout, push
    # the steps not sent yet: the steps count from its last change).
    triggers: frozenset[EventType]
    default_steps: str
    # Journey events of the customer, at or after the trigger, that end it.
    exits: frozenset[EventType]
    # Whether the subject's own exit (an order from the checkout, a review of
    # the order) is looked up by the subject id in the event payload.
    reschedule_on_trigger: bool = False


KINDS: dict[Kind, KindSpec] = {
    Kind.ABANDONED_CHECKOUT: KindSpec(
        kind=Kind.ABANDONED_CHECKOUT,
        triggers=frozenset(
            {
                EventType.CHECKOUT_STARTED,
                EventType.CHECKOUT_DETAILS_ADDED,
                EventType.DELIVERY_METHOD_CHOSEN,
            }
        ),
        default_steps="1h, 24h:10%, 72h",
        # An order from the checkout, or any order by the same customer.
        exits=frozenset({EventType.ORDER_PLACED}),
        reschedule_on_trigger=True,
    ),
    Kind.WIN_BACK: KindSpec(
        kind=Kind.WIN_BACK,
        triggers=frozenset({EventType.LAPSE_DETECTED}),
        default_steps="0h:15%, 14d",
        exits=frozenset({EventType.ORDER_PAID}),
    ),
    Kind.REVIEW_REQUEST: KindSpec(
        kind=Kind.REVIEW_REQUEST,
        triggers=frozenset({EventType.ORDER_FULFILLED}),
        default_steps="7d",
        # Only a review of that very order (its id in the payload).
        exits=frozenset({EventType.REVIEW_SUBMITTED}),
    ),
}

TRIGGERS: dict[EventType, Kind] = {
    trigger: spec.kind for spec in KINDS.values() for trigger in spec.triggers
}
