"""Idempotency keys of the store's facts: one rule for every host reporting them.

The plugin's hooks, the Saleor App's webhooks and the backfills report the
same checkout, order or account under the same key, so a store that moves from
one host to another, or backfills, counts nothing twice. Ids are the store's
own: a checkout's token, an order's UUID, a user's primary key (never a
GraphQL global ID).
"""

from .events import EventType

# A checkout's milestones, in the order a customer reaches them.
CHECKOUT_MILESTONES = (
    (EventType.CHECKOUT_STARTED, "started"),
    (EventType.CHECKOUT_DETAILS_ADDED, "details"),
    (EventType.DELIVERY_METHOD_CHOSEN, "delivery"),
)
CHECKOUT_PAID = "paid"

ORDER_MILESTONES = {
    EventType.ORDER_PLACED: "placed",
    EventType.ORDER_PAID: "paid",
    EventType.ORDER_FULFILLED: "fulfilled",
    EventType.ORDER_CANCELLED: "cancelled",
    EventType.ORDER_REFUNDED: "refunded",
}


def checkout_key(checkout_token: str, milestone: str) -> str:
    return f"checkout:{checkout_token}:{milestone}"


def order_key(order_id: str, event_type: EventType) -> str:
    return f"order:{order_id}:{ORDER_MILESTONES[event_type]}"


def partial_refund_key(order_id: str, refunded_so_far: str) -> str:
    """Each amount refunded so far is a partial refund of its own."""
    return f"{order_key(order_id, EventType.ORDER_REFUNDED)}:{refunded_so_far}"


def account_created_key(user_id: str) -> str:
    return f"user:{user_id}:created"


def account_deleted_key(user_id: str) -> str:
    return f"user:{user_id}:deleted"


def account_updated_key(
    user_id: str, when: str, email: str, confirmed: bool, source: str
) -> str:
    """``when`` is the change's time (a live report) or "state" (a backfill,
    which keys the state itself so running it again records nothing new)."""
    return f"user:{user_id}:updated:{when}:{email}:{confirmed}:{source}"
