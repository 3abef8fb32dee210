"""Forgetting a deleted customer while keeping the store's aggregate numbers."""

from django.db.models import Q

from ..models import Customer, JourneyEvent
from .events import normalize_email

# Payload keys that carry no personal data and keep KPIs (order value) correct.
KEPT_PAYLOAD_KEYS = frozenset({"total", "currency", "rating", "lines"})


def erase_customer(*, user_id: str, email: str) -> int:
    """Delete the customer's journeys, anonymise its events; count customers erased."""
    email = normalize_email(email)
    customers = list(Customer.objects.filter(_identity(user_id, email)))
    events = JourneyEvent.objects.filter(
        Q(customer__in=customers) | _identity(user_id, email)
    )
    for event in events.only("pk", "payload"):
        kept = {
            k: v for k, v in (event.payload or {}).items() if k in KEPT_PAYLOAD_KEYS
        }
        JourneyEvent.objects.filter(pk=event.pk).update(
            customer=None,
            user_id="",
            email="",
            referrer="",
            search_term="",
            payload=kept,
        )
    for customer in customers:
        customer.delete()  # journeys and transitions cascade
    return len(customers)


def _identity(user_id: str, email: str) -> Q:
    """Rows that name this user id or email (both tables use the same columns)."""
    match = Q(pk__in=[])
    if user_id:
        match |= Q(user_id=user_id)
    if email:
        match |= Q(email=email)
    return match
