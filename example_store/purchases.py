"""Verified purchases and order owners in the example store, which keeps no
orders of its own.

Its orders exist only as the journey's order events: one names its order in
the payload's ``order_id`` and, when the sender lists them, its products in
``products`` (a list of product IDs or SKUs). An order is a user's when its
events carry the user's id (placed signed in), or once the store linked the
guest order to the account (``OrderOwner``).
"""

from django.db.models import Q

from saleor_journey_plugin.core.events import EventType, normalize_email
from saleor_journey_plugin.core.queries import find_customer
from saleor_journey_plugin.models import JourneyEvent

# A customer's paid orders looked at, newest first: a bound, not a business rule.
MAX_ORDERS = 1000


def purchased_product(channel: str, email: str, product: str, order: str) -> str | None:
    """``product`` when a paid order of the email's customer in ``channel``
    lists it (the order named, when ``order`` is given); None otherwise."""
    email = normalize_email(email)
    if not email or not product:
        return None
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
        if order and str(payload.get("order_id", "")) != order:
            continue
        products = payload.get("products")
        if isinstance(products, list) and product in products:
            return product
    return None


def link_guest_orders(user_id: str, email: str) -> int:
    """The example store's ``match_orders_with_new_user``: the guest orders
    placed with the account's address become the account's. Call it where
    Saleor does (the owner confirmed the account or a new address), then
    report the account fact (``ACCOUNT_UPDATED``); how many orders it linked."""
    from .models import OrderOwner

    order_ids = {
        str(order_id)
        for order_id in JourneyEvent.objects.filter(
            type=EventType.ORDER_PLACED.value,
            user_id="",
            visitor_id="",
            email=normalize_email(email),
        ).values_list("payload__order_id", flat=True)
        if order_id
    }
    linked = OrderOwner.objects.bulk_create(
        [OrderOwner(order_id=order_id, user_id=user_id) for order_id in order_ids],
        ignore_conflicts=True,
    )
    return len(linked)


def any_order_of(user_id: str, order_ids: list[str]) -> bool:
    from .models import OrderOwner

    if OrderOwner.objects.filter(user_id=user_id, order_id__in=order_ids).exists():
        return True
    return JourneyEvent.objects.filter(
        user_id=user_id,
        type=EventType.ORDER_PLACED.value,
        payload__order_id__in=order_ids,
    ).exists()
