"""Applying logged events to journeys, exactly once per event."""

import logging
from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from ..models import Customer, Journey, JourneyEvent, StageTransition
from .engine import JourneyState, Step, advance
from .erasure import erase_customer
from .events import EventType
from .host import get_host
from .identity import resolve_customer
from .stages import Stage

logger = logging.getLogger(__name__)

MAX_ERROR_LENGTH = 2000


def process_event(event_id: int) -> bool:
    """Apply one event; False if it was already applied (or is being applied)."""
    with transaction.atomic():
        event = (
            JourneyEvent.objects.select_for_update(skip_locked=True)
            .filter(pk=event_id, processed_at__isnull=True)
            .first()
        )
        if event is None:
            return False
        changed = _apply(event)
        event.processed_at = timezone.now()
        event.attempts += 1
        event.last_error = ""
        event.save(
            update_fields=[
                "customer",
                "stage",
                "processed_at",
                "attempts",
                "last_error",
            ]
        )
        transaction.on_commit(lambda: _report_stage_changes(changed))
    return True


def process_safely(event_id: int) -> bool:
    """Process, and on failure keep the error on the event for the relay to retry."""
    try:
        return process_event(event_id)
    except Exception as error:
        logger.exception("Journey event %s failed", event_id)
        JourneyEvent.objects.filter(pk=event_id).update(
            attempts=F("attempts") + 1, last_error=repr(error)[:MAX_ERROR_LENGTH]
        )
        return False


def _apply(event: JourneyEvent) -> list[Journey]:
    event_type = EventType(event.type)
    if event_type is EventType.CUSTOMER_DELETED:
        erase_customer(user_id=event.user_id, email=event.email)
        event.customer = None
        return []
    if event.customer_id:
        customer: Customer | None = event.customer
        changed: list[Journey] = []
    else:
        customer, changed = resolve_customer(event.user_id, event.email)
    event.customer = customer
    if customer is None:
        return changed
    channels = [event.channel] if event.channel else get_host().active_channels()
    for channel in channels:
        journey, _ = Journey.objects.select_for_update().get_or_create(
            customer=customer, channel=channel
        )
        if _apply_to_journey(journey, event):
            changed.append(journey)
        if event.channel:
            event.stage = journey.stage or ""
    return changed


def _apply_to_journey(journey: Journey, event: JourneyEvent) -> bool:
    state = JourneyState(
        stage=Stage(journey.stage) if journey.stage else None,
        paid_orders=journey.paid_orders,
        lapse_clock_from=journey.lapse_clock_from,
    )
    step = _step(state, event)
    if step.state == state:
        return False
    if step.moved_to is not None:
        StageTransition.objects.create(
            journey=journey,
            event=event,
            from_stage=journey.stage,
            to_stage=step.moved_to.value,
            occurred_at=event.occurred_at,
            win_back=step.win_back,
        )
        journey.stage = step.moved_to.value
        journey.stage_entered_at = event.occurred_at
    journey.paid_orders = step.state.paid_orders
    journey.lapse_clock_from = step.state.lapse_clock_from
    journey.save()
    return step.moved_to is not None


def _step(state: JourneyState, event: JourneyEvent) -> Step:
    payload = event.payload or {}
    rating = payload.get("rating")
    anchor = payload.get("lapse_anchor")
    return advance(
        state,
        EventType(event.type),
        event.occurred_at,
        rating=int(rating) if rating is not None else None,
        lapse_anchor=_parse_time(anchor),
    )


def _parse_time(value: str | None) -> datetime | None:
    return parse_datetime(value) if value else None


def rebuild_journey(journey: Journey) -> None:
    """Replay the customer's processed events in this channel from scratch."""
    StageTransition.objects.filter(journey=journey).delete()
    journey.stage = None
    journey.stage_entered_at = None
    journey.paid_orders = 0
    journey.lapse_clock_from = None
    events = JourneyEvent.objects.filter(
        customer_id=journey.customer_id,
        channel__in=[journey.channel, ""],
        processed_at__isnull=False,
    ).order_by("occurred_at", "id")
    for event in events:
        _apply_to_journey(journey, event)
        if event.channel:
            JourneyEvent.objects.filter(pk=event.pk).update(stage=journey.stage or "")
    journey.save()


def _report_stage_changes(journeys: Iterable[Journey]) -> None:
    host = get_host()
    for journey in journeys:
        try:
            host.stage_changed(journey)
        except Exception:
            # Tagging the store's own records is a courtesy; the journey is saved.
            logger.exception("Could not report the stage of journey %s", journey.pk)
