"""Who an event belongs to, and merging a guest into the account that claims it."""

from collections.abc import Callable

from django.db import IntegrityError, transaction

from ..models import Customer, Journey, JourneyEvent, StageTransition
from . import followers
from .events import normalize_email

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
    user_id: str, email: str, visitor_id: str = ""
) -> tuple[Customer | None, list[Journey]]:
    """The event's customer, creating or merging as needed.

    Returns the customer and the journeys a merge handed to an account, so the
    caller can report their stages to the store.
    """
    email = normalize_email(email)
    if user_id:
        customer, changed = _user_customer(user_id, email)
        if visitor_id:
            # A signed-in call presenting its browser's visitor id: the account
            # takes that visitor's history.
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


def _user_customer(user_id: str, email: str) -> tuple[Customer, list[Journey]]:
    customer = Customer.objects.filter(user_id=user_id).first()
    guest = (
        Customer.objects.select_for_update()
        .filter(email=email, user_id__isnull=True, visitor_id__isnull=True)
        .first()
        if email
        else None
    )
    if customer is None and guest is not None:
        # The account claims the guest's history as it stands: nothing to replay.
        guest.user_id = user_id
        guest.save(update_fields=["user_id"])
        # Unchanged stages, but now the store's user can be tagged with them.
        return guest, list(guest.journeys.all())
    if customer is None:
        customer = _get_or_create({"user_id": user_id}, email)
    elif email and customer.email != email:
        customer.email = email
        customer.save(update_fields=["email"])
    if guest is None:
        return customer, []
    return customer, merge_into(guest, customer)


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
    from .processing import rebuild_journey

    with followers.rewriting(
        JourneyEvent.objects.filter(customer__in=[guest, customer])
    ):
        return _merge(guest, customer, rebuild_journey)


def _merge(
    guest: Customer, customer: Customer, rebuild_journey: Callable[[Journey], None]
) -> list[Journey]:
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
