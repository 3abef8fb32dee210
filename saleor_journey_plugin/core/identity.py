"""Who an event belongs to, and merging a guest into the account that claims it."""

from collections.abc import Callable

from django.db import IntegrityError, transaction

from ..models import Customer, Journey, JourneyEvent, StageTransition
from . import followers
from .advancing import rebuild_journey
from .events import EventType, normalize_email
from .host import get_host

# Capabilities owning rows of a guest (loyalty, campaigns) move them to the
# account it merges into: called with (guest id, customer id) in the merge's
# transaction, before the guest row is deleted. Each registers itself from
# ``apps.ready()``.
MergeListener = Callable[[int, int], None]
_MERGE_LISTENERS: list[MergeListener] = []


def on_merge(listener: MergeListener) -> None:
    if listener not in _MERGE_LISTENERS:
        _MERGE_LISTENERS.append(listener)


def resolve_customer(
    user_id: str, email: str, visitor_id: str = "", *, account_fact: bool = False
) -> tuple[Customer | None, list[Journey]]:
    """The event's customer, creating or merging as needed.

    Returns the customer and the journeys a merge handed to an account, so the
    caller can report their stages to the store.

    An account's email comes only from an ``account_fact`` (the store's own
    account record, ``ACCOUNT_FACTS``): a signed-in customer may type anyone's
    address into a checkout, and that must neither rename the account nor
    join that person's history to it. A guest joins an account only when the
    store has linked the guest's orders to it (``_claim_linked_guest``).
    """
    email = normalize_email(email)
    if user_id:
        customer = _account(user_id, email if account_fact else "")
        changed = _claim_linked_guest(customer) if account_fact and email else []
        if visitor_id:
            # A signed-in call presenting its browser's visitor id: the account
            # takes that visitor's history (the browser's own, anonymous one).
            changed += _absorb_visitor(visitor_id, customer)
        return customer, changed
    if visitor_id:
        # Anonymous: the event stays on the visitor, whatever email it names.
        return _visitor_customer(visitor_id, email), []
    if not email:
        return None, []
    user_customer = Customer.objects.filter(email=email, user_id__isnull=False).first()
    if user_customer:
        return user_customer, []
    guest = {"email": email, "user_id": None, "visitor_id": None}
    return _get_or_create(guest, email), []


def _account(user_id: str, email: str) -> Customer:
    """The account's customer, holding ``email`` when the store gave one."""
    if email:
        # The store keeps an email on one account at a time: an account still
        # holding it here changed its address in a fact not applied yet.
        Customer.objects.filter(email=email, user_id__isnull=False).exclude(
            user_id=user_id
        ).update(email="")
    customer = _get_or_create({"user_id": user_id}, email)
    if email and customer.email != email:
        customer.email = email
        customer.save(update_fields=["email"])
    return customer


def _claim_linked_guest(customer: Customer) -> list[Journey]:
    """Merge the guest with the account's email into it, if the store now
    shows one of the guest's orders as the account's (Saleor links a guest's
    orders when the owner confirms the address); otherwise nothing."""
    guest = (
        Customer.objects.select_for_update()
        .filter(email=customer.email, user_id__isnull=True, visitor_id__isnull=True)
        .first()
    )
    if guest is None:
        return []
    order_ids = [
        str(order_id)
        for order_id in JourneyEvent.objects.filter(
            customer=guest, type=EventType.ORDER_PLACED.value
        ).values_list("payload__order_id", flat=True)
        if order_id
    ]
    if not order_ids or not get_host().has_any_order_of(
        str(customer.user_id), order_ids
    ):
        return []
    return merge_into(guest, customer)


def _visitor_customer(visitor_id: str, email: str) -> Customer:
    customer = _get_or_create({"visitor_id": visitor_id}, email)
    if email and customer.email != email:
        # The latest address the visitor typed; unverified, it joins nothing.
        customer.email = email
        customer.save(update_fields=["email"])
    return customer


def _absorb_visitor(visitor_id: str, customer: Customer) -> list[Journey]:
    visitor = Customer.objects.select_for_update().filter(visitor_id=visitor_id).first()
    if visitor is None:
        return []
    return merge_into(visitor, customer)


def _get_or_create(lookup: dict[str, str | None], email: str) -> Customer:
    try:
        with transaction.atomic():
            customer, _ = Customer.objects.get_or_create(
                **lookup, defaults={"email": email}
            )
    except IntegrityError:
        # Another worker created the same customer between our read and write.
        customer = Customer.objects.get(**lookup)
    return customer


def merge_into(guest: Customer, customer: Customer) -> list[Journey]:
    """Move the guest's history to ``customer``; one history, no event twice."""
    with followers.rewriting(
        JourneyEvent.objects.filter(customer__in=[guest, customer])
    ):
        return _merge(guest, customer)


def _merge(guest: Customer, customer: Customer) -> list[Journey]:
    JourneyEvent.objects.filter(customer=guest).update(customer=customer)
    rebuilt = []
    for guest_journey in list(guest.journeys.all()):
        journey = Journey.objects.filter(
            customer=customer, channel=guest_journey.channel
        ).first()
        if journey is None:
            guest_journey.customer = customer
            guest_journey.save(update_fields=["customer"])
            rebuilt.append(guest_journey)
            continue
        StageTransition.objects.filter(journey=guest_journey).delete()
        guest_journey.delete()
        rebuild_journey(journey)
        rebuilt.append(journey)
    for listener in _MERGE_LISTENERS:
        listener(guest.pk, customer.pk)
    guest.delete()
    return rebuilt
