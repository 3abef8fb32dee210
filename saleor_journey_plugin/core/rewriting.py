"""One event applied alone, through the ORM: an event that rewrites a customer
(a guest merged into an account, a visitor absorbed, an erasure, an account's
new email), which the set-wise batch (``batch.py``) leaves to this module, or
any event of a failed batch, retried on its own."""

from ..models import Customer, Journey, JourneyEvent
from . import timeline
from .advancing import advance_journey, rebuild_journey
from .erasure import erase_customer
from .events import ACCOUNT_FACTS, EventType
from .host import get_host
from .identity import resolve_customer


def apply_rewriting_event(event: JourneyEvent) -> list[Journey]:
    """Apply one event through the ORM, merging or erasing customers as needed."""
    event_type = EventType(event.type)
    if event_type is EventType.CUSTOMER_DELETED:
        erase_customer(user_id=event.user_id, email=event.email)
        event.customer = None
        return []
    if event.customer_id:
        customer = event.customer
        changed: list[Journey] = []
    else:
        customer, changed = resolve_customer(
            event.user_id,
            event.email,
            event.visitor_id,
            account_fact=event_type in ACCOUNT_FACTS,
        )
    event.customer = customer
    if customer is None:
        return changed
    if not event.channel:
        # Customer-wide events (an account created) join the journeys the
        # customer has; a journey started later replays them first.
        journeys = list(Journey.objects.select_for_update().filter(customer=customer))
        if event_type is EventType.ACCOUNT_CREATED:
            journeys += _open_new_account_journeys(customer, journeys)
    else:
        journey, created = Journey.objects.select_for_update().get_or_create(
            customer=customer, channel=event.channel
        )
        if created:
            rebuild_journey(journey)
        journeys = [journey]
    for journey in journeys:
        touched, transition = advance_journey(journey, event)
        if touched:
            journey.save()
        if transition:
            transition.save()
            changed.append(journey)
    timeline.refresh(j.pk for j in changed)
    if event.channel:
        event.stage = journeys[0].stage or ""
    return changed


def _open_new_account_journeys(
    customer: Customer, journeys: list[Journey]
) -> list[Journey]:
    """Journeys, from account creation on, in channels that count new accounts."""
    have = {journey.channel for journey in journeys}
    opened = []
    for channel in get_host().new_account_channels():
        if channel in have:
            continue
        journey, created = Journey.objects.select_for_update().get_or_create(
            customer=customer, channel=channel
        )
        if created:
            rebuild_journey(journey)
        opened.append(journey)
    return opened
