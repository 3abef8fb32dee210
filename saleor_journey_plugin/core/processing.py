"""Applying logged events to journeys, exactly once per event.

Events are taken oldest first under ``FOR UPDATE SKIP LOCKED``, so any number
of workers can process at once without applying an event twice. Most events
are applied set-wise (``batch.py``); the rare ones that rewrite a customer
(a guest merge, an erasure, an account's new email) one at a time, in order.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from ..models import Customer, Journey, JourneyEvent, StageTransition
from . import followers, timeline
from .bulk import mark_processed
from .engine import JourneyState, advance
from .erasure import erase_customer
from .events import ACCOUNT_FACTS, EventType
from .host import get_host
from .identity import resolve_customer
from .stages import Stage

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
# Failures back off 1, 2, 4 ... 256 minutes: an outage of several hours (a
# missing migration, a database restore) is outlived; a poison event gives up.
MAX_ATTEMPTS = 10
FIRST_RETRY = timedelta(minutes=1)
MAX_ERROR_LENGTH = 2000
# An arbitrary 64-bit key naming the plugin's batch lock among advisory locks.
BATCH_LOCK_ID = 0x4A6F75726E6579  # "Journey"


def process_event(event_id: int) -> bool:
    """Apply one event; False if it was already applied (or is being applied)."""
    applied, _ = _process(JourneyEvent.objects.filter(pk=event_id))
    return applied == 1


def process_pending(limit: int = BATCH_SIZE) -> tuple[int, int]:
    """Apply up to ``limit`` waiting events, oldest first: (applied, failed)."""
    waiting = JourneyEvent.objects.filter(attempts__lt=MAX_ATTEMPTS).filter(
        Q(retry_after__isnull=True) | Q(retry_after__lte=timezone.now())
    )
    return _process(waiting.order_by("occurred_at", "id"), limit)


def drain() -> int:
    """Apply waiting events until none is left; return how many were applied.

    Stops at the first failure: the failed events are retried by the next
    run, not in a tight loop.
    """
    total = 0
    while True:
        applied, failed = process_pending()
        total += applied
        if failed or applied < BATCH_SIZE:
            # A short batch took all there was; later events wake a new task.
            return total


def _process(events: QuerySet[JourneyEvent], limit: int = 1) -> tuple[int, int]:
    from .batch import apply_events

    with transaction.atomic():
        one_batch_at_a_time()
        locked = list(
            events.select_for_update(skip_locked=True).filter(
                processed_at__isnull=True
            )[:limit]
        )
        failed = 0
        try:
            with transaction.atomic():
                changed = apply_events(locked)
        except Exception:
            # One bad event must not hold back the rest: retry them one by one,
            # as stored (the failed batch left its edits on these objects).
            changed = []
            by_id = JourneyEvent.objects.in_bulk([event.pk for event in locked])
            for event in (by_id[e.pk] for e in locked):
                try:
                    changed.extend(_apply_alone(event))
                except Exception as error:
                    failed += 1
                    _record_failure(event, error)
        transaction.on_commit(lambda: report_stage_changes(changed))
    return len(locked) - failed, failed


def one_batch_at_a_time() -> None:
    """Wait for any other worker's batch to commit before starting ours.

    Two batches creating the same customers or journeys in different orders
    deadlock on the unique indexes; taking turns costs little, as one batch
    applies hundreds of events. The lock goes with the transaction.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [BATCH_LOCK_ID])


def _apply_alone(event: JourneyEvent) -> list[Journey]:
    with transaction.atomic():
        changed = apply_rewriting_event(event)
        mark_processed([event])
        return changed


def _record_failure(event: JourneyEvent, error: Exception) -> None:
    logger.error("Journey event %s failed", event.pk, exc_info=error)
    JourneyEvent.objects.filter(pk=event.pk).update(
        attempts=F("attempts") + 1,
        last_error=repr(error)[:MAX_ERROR_LENGTH],
        retry_after=timezone.now() + FIRST_RETRY * 2**event.attempts,
    )


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


def advance_journey(
    journey: Journey, event: JourneyEvent
) -> tuple[bool, StageTransition | None]:
    """Apply the stage rules to ``journey`` in memory.

    Returns whether the journey changed at all, and the (unsaved) transition
    when its stage changed.
    """
    state = JourneyState(
        stage=Stage(journey.stage) if journey.stage else None,
        paid_orders=journey.paid_orders,
        lapse_clock_from=journey.lapse_clock_from,
    )
    payload = event.payload or {}
    rating = payload.get("rating")
    step = advance(
        state,
        EventType(event.type),
        event.occurred_at,
        rating=int(rating) if rating is not None else None,
        lapse_anchor=_parse_time(payload.get("lapse_anchor")),
    )
    if step.state == state:
        return False, None
    journey.paid_orders = step.state.paid_orders
    journey.lapse_clock_from = step.state.lapse_clock_from
    if step.moved_to is None:
        return True, None
    transition = StageTransition(
        journey=journey,
        channel=journey.channel,
        event=event,
        from_stage=journey.stage,
        to_stage=step.moved_to.value,
        occurred_at=event.occurred_at,
        win_back=step.win_back,
    )
    journey.stage = step.moved_to.value
    journey.stage_entered_at = event.occurred_at
    return True, transition


def _parse_time(value: str | None) -> datetime | None:
    return parse_datetime(value) if value else None


@dataclass
class Replay:
    """What applying a journey's events in time order gives, held in memory."""

    transitions: list[StageTransition]
    # Each channel event with the stage the journey was in once it applied.
    stages: list[tuple[JourneyEvent, str]]


def replay(journey: Journey, events: Iterable[JourneyEvent]) -> Replay:
    """Reset ``journey`` in memory and apply ``events`` (oldest first) to it."""
    journey.stage = None
    journey.stage_entered_at = None
    journey.paid_orders = 0
    journey.lapse_clock_from = None
    result = Replay(transitions=[], stages=[])
    for event in events:
        _, transition = advance_journey(journey, event)
        if transition:
            result.transitions.append(transition)
        if event.channel:
            result.stages.append((event, journey.stage or ""))
    return result


def rebuild_journey(journey: Journey) -> None:
    """Replay the customer's processed events in this channel from scratch."""
    events = JourneyEvent.objects.filter(
        customer_id=journey.customer_id,
        channel__in=[journey.channel, ""],
        processed_at__isnull=False,
    ).order_by("occurred_at", "id")
    with followers.rewriting(events.filter(channel=journey.channel)):
        result = replay(journey, events)
        StageTransition.objects.filter(journey=journey).delete()
        StageTransition.objects.bulk_create(result.transitions)
        for event, stage in result.stages:
            JourneyEvent.objects.filter(pk=event.pk).update(stage=stage)
        journey.save()
        timeline.refresh([journey.pk])


def report_stage_changes(journeys: Iterable[Journey]) -> None:
    journeys = list(journeys)
    if not journeys:
        return
    try:
        get_host().stages_changed(journeys)
    except Exception:
        # Tagging the store's own records is a courtesy; the journeys are saved.
        logger.exception("Could not report the stages of %d journeys", len(journeys))
