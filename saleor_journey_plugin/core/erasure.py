"""Forgetting a deleted customer while keeping the store's aggregate numbers."""

from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.db.models import Q, QuerySet

from ..models import Customer, JourneyEvent
from . import followers
from .batch_lock import one_batch_at_a_time
from .events import normalize_email

# Payload keys that carry no personal data and keep the store's figures right:
# amounts (an order's total; what a refund says the order has had refunded so
# far, and whether that is partial), ratings, and the store's own order and
# checkout ids, which tie a
# cancellation to its order and an order to its checkout, and a review service's
# review ids, which tie a rating's edits to its review, and the discount codes
# an order used (random store codes), which tie it to a campaign's coupon.
KEPT_PAYLOAD_KEYS = (
    "total",
    "currency",
    "refunded",
    "partial",
    "rating",
    "lines",
    "order_id",
    "checkout",
    "review_id",
    "coupons",
)
# Every free-text column of an event that a caller or an adapter can fill.
SCRUBBED = {
    "user_id": "",
    "email": "",
    "visitor_id": "",
    "utm_source": "",
    "utm_medium": "",
    "utm_campaign": "",
    "referrer": "",
    "search_term": "",
    "last_error": "",
}

_EVENTS = JourneyEvent._meta.db_table

# Capabilities keeping personal data in tables of their own (reviews, loyalty)
# forget it through a listener: called in the erasure's transaction, before the
# customers go, with their ids, the user id and the normalized email. The core
# imports no capability; each registers itself from ``apps.ready()``.
ErasureListener = Callable[[list[int], str, str], None]
_LISTENERS: list[ErasureListener] = []


def on_erase(listener: ErasureListener) -> None:
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def _scrub(where: str) -> str:
    blanks = ", ".join(f"{column} = ''" for column in SCRUBBED)
    return (
        f"UPDATE {_EVENTS} AS e SET customer_id = NULL, {blanks}, "
        "payload = COALESCE((SELECT jsonb_object_agg(p.key, p.value) "
        "FROM jsonb_each(e.payload) AS p WHERE p.key = ANY(%(kept)s)), '{}'::jsonb) "
        f"WHERE {where}"
    )


# Two statements, each on its own index: processed events by their customer
# (the (customer, channel, occurred_at) index), and events still waiting that
# name the person (the partial index of waiting events; they are few): an
# account's by its user id, a guest's by an email with no user or visitor.
SCRUB_PROCESSED = _scrub("e.customer_id = ANY(%(customers)s)")
SCRUB_WAITING_ACCOUNT = _scrub(
    "e.processed_at IS NULL AND (e.user_id = %(user_id)s OR ("
    "e.email = %(email)s AND e.user_id = '' AND e.visitor_id = ''))"
)
SCRUB_WAITING_GUEST = _scrub(
    "e.processed_at IS NULL AND e.email = %(email)s "
    "AND e.user_id = '' AND e.visitor_id = ''"
)


def erase_customer(*, user_id: str, email: str) -> int:
    """Delete the customer's journeys, anonymise its events; count customers erased.

    With a user id, the account with that id and nothing else: not the guest
    or visitors who merely used its address, nor another account that typed
    it into a checkout. ``email`` is then the account's own (the store's
    account record): events still waiting that name only it would have been
    the account's, so they go too. Without a user id, the guest with
    ``email``: never an account with that address, nor a visitor who typed it.
    """
    email = normalize_email(email)
    customers = Customer.objects.filter(_whose(user_id, email))
    ids = list(customers.values_list("pk", flat=True))
    # The rollups take the events back and fold them again without the person.
    with followers.rewriting(JourneyEvent.objects.filter(customer_id__in=ids)):
        _scrub_events(ids, user_id, email)
        for listener in _LISTENERS:
            listener(ids, user_id, email)
        Customer.objects.filter(pk__in=ids).delete()  # journeys, transitions cascade
    _forget_typed_address(email)
    return len(ids)


def _forget_typed_address(email: str) -> None:
    """Blank the erased address where a visitor typed it, and keep the rest.

    The visitor's history is its own (anyone can type any address), but the
    address is the erased person's. Read through the visitor rows (the email
    index) and their events (the customer index): an address a visitor typed
    once and later replaced stays in that older event.
    """
    if not email:
        return
    visitors = list(
        Customer.objects.filter(email=email, visitor_id__isnull=False).values_list(
            "pk", flat=True
        )
    )
    if not visitors:
        return
    JourneyEvent.objects.filter(customer_id__in=visitors, email=email).update(email="")
    Customer.objects.filter(pk__in=visitors).update(email="")


def erase_guest(email: str) -> int:
    """Erase the guest with this address on request (staff, a command): her
    journey, events' personal data, reviews, points and campaign rows, as an
    account's erasure does. An account with the address is not touched; how
    many guests went (0 or 1). Taken in turn with the drain's batches, so a
    batch applying her events does not bring her back halfway."""
    with transaction.atomic():
        one_batch_at_a_time()
        return erase_customer(user_id="", email=email)


def _whose(user_id: str, email: str) -> Q:
    """The customer rows of the account or the guest."""
    if user_id:
        return Q(user_id=user_id)
    if email:
        return Q(email=email) & _no_account_or_visitor()
    return Q(pk__in=[])


def _waiting(user_id: str, email: str) -> Q:
    """The events still waiting that the account or the guest owns."""
    only_email = Q(email=email) & _no_account_or_visitor() if email else Q(pk__in=[])
    return Q(user_id=user_id) | only_email if user_id else only_email


def _no_account_or_visitor() -> Q:
    # NULL in the customer table, blank in the event log.
    return (Q(user_id__isnull=True) | Q(user_id="")) & (
        Q(visitor_id__isnull=True) | Q(visitor_id="")
    )


def _scrub_events(ids: list[int], user_id: str, email: str) -> None:
    if connection.vendor == "postgresql":
        params: dict[str, Any] = {
            "kept": list(KEPT_PAYLOAD_KEYS),
            "customers": ids,
            # An empty identity must match nothing, not every blank column.
            "user_id": user_id or None,
            "email": email or None,
        }
        with connection.cursor() as cursor:
            cursor.execute(SCRUB_PROCESSED, params)
            if user_id:
                cursor.execute(SCRUB_WAITING_ACCOUNT, params)
            elif email:
                cursor.execute(SCRUB_WAITING_GUEST, params)
    else:
        _scrub_one_by_one(
            JourneyEvent.objects.filter(
                Q(customer_id__in=ids)
                | Q(processed_at__isnull=True) & _waiting(user_id, email)
            )
        )


def _scrub_one_by_one(events: QuerySet[JourneyEvent]) -> None:
    # The example store's SQLite has no jsonb; its tables are small.
    for event in events.only("pk", "payload"):
        payload = event.payload or {}
        JourneyEvent.objects.filter(pk=event.pk).update(
            customer=None,
            payload={k: v for k, v in payload.items() if k in KEPT_PAYLOAD_KEYS},
            **SCRUBBED,
        )
