"""Verified purchases in the example store, which keeps no orders of its own.

Its orders exist only as the journey's ``ORDER_PAID`` events: one names its
order in the payload's ``order_id`` and, when the sender lists them, its
products in ``products`` (a list of product IDs or SKUs). With no catalog to
tell which names are one product, each name listed is a product of its own.
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
