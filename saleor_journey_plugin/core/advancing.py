"""The stage rules applied to stored journeys: one event at a time
(``advance_journey``), or a journey's whole history again from the start
(``replay`` in memory, ``rebuild_journey`` in the tables)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.utils.dateparse import parse_datetime

from ..models import Journey, JourneyEvent, StageTransition
from . import followers, timeline
from .engine import JourneyState, advance
from .events import EventType
from .stages import Stage


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
