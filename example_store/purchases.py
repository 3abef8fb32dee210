"""Verified purchases and order owners in the example store, which keeps no
orders of its own.

Its orders exist only as the journey's order events: one names its order in
the payload's ``order_id`` and, when the sender lists them, its products in
``products`` (a list of product IDs or SKUs). An order is a user's once the
store reports one of its events with that user's id (the store linked it).
"""

from django.db.models import Q

from saleor_journey_plugin.core.events import EventType, normalize_email
from saleor_journey_plugin.core.queries import find_customer
from saleor_journey_plugin.models import JourneyEvent

# A customer's paid orders looked at, newest first: a bound, not a business rule.
MAX_ORDERS = 1000


def has_paid_order(channel: str, email: str, product: str, order: str) -> bool:
    email = normalize_email(email)
    if not email:
        return False
    # Applied events belong to the email's customer; those still waiting for
    # the drain only name the email.
    theirs = Q(processed_at__isnull=True, email=email)
    customer = find_customer(email=email)
    if customer is not None:
        theirs |= Q(customer=customer)
    payloads = (
        JourneyEvent.objects.filter(
            theirs, channel=channel, type=EventType.ORDER_PAID.value
        )
        .order_by("-occurred_at")
        .values_list("payload", flat=True)[:MAX_ORDERS]
    )
    for payload in payloads:
        payload = payload or {}
        if order and str(payload.get("order_id", "")) == order:
            return True
        products = payload.get("products")
        if product and isinstance(products, list) and product in products:
            return True
    return False


ORDER_EVENTS = [
    EventType.ORDER_PLACED.value,
    EventType.ORDER_PAID.value,
    EventType.ORDER_FULFILLED.value,
    EventType.ORDER_CANCELLED.value,
    EventType.ORDER_REFUNDED.value,
]


def any_order_of(user_id: str, order_ids: list[str]) -> bool:
    return JourneyEvent.objects.filter(
        user_id=user_id, type__in=ORDER_EVENTS, payload__order_id__in=order_ids
    ).exists()
