"""The journey map's data: touchpoints per stage, by type, channel and source."""

from collections import defaultdict
from typing import Any

from django.db.models import Count, Q, QuerySet

from ..core.events import PAIN_POINTS, REVIEWS, EventType, TouchChannel
from ..core.stages import FUNNEL, Stage
from ..models import JourneyEvent
from .log import channel_events, during
from .period import Period
from .results import Emotions, JourneyMap, StageTouchpoints

DEFAULT_TOP = 5
MAX_TOP = 100
# A low review is a pain point of its own kind, named by its event type (a
# review, or a review edited to a new rating).
REVIEW_KINDS: tuple[str, ...] = tuple(sorted(t.value for t in REVIEWS))
PAIN_POINT_KINDS: tuple[str, ...] = (
    *sorted(t.value for t in PAIN_POINTS),
    *REVIEW_KINDS,
)
_REVIEW = Q(type__in=REVIEW_KINDS)
_LOW_REVIEW = _REVIEW & Q(payload__rating__lte=2)
_PAIN = Q(type__in=[t.value for t in PAIN_POINTS]) | _LOW_REVIEW


def reference_journey_map(
    channel: str, period: Period, *, top: int = DEFAULT_TOP
) -> JourneyMap:
    """Per stage: the touchpoints of the period and what they were.

    A touchpoint's stage is the one the event log gives it: the stage the
    customer was in once the event was applied, so an event that moved the
    customer counts in the stage it moved them into (an order placed counts
    in PURCHASE). Columns: the six funnel stages, LAPSED, then touchpoints of
    customers not in the funnel yet (``stage`` None).

    Touchpoints are the channel's processed events of a customer, including
    lapses and abandoned checkouts (pain points the map is for); events of an
    erased customer stay in the stage they had. Pain points and emotions
    follow the journey model: a review (or an edit of one to a new rating)
    rated 1 or 2 is a pain point (kind ``REVIEW_SUBMITTED`` or
    ``REVIEW_EDITED``) and negative, 3 neutral, 4 or 5 positive; every other
    pain point is negative.
    """
    check_top(top)
    events = map_events(channel, period)
    by_type = _grouped(events, "type")
    by_touch = _grouped(events, "touch_channel")
    sources = _ranked(events, "utm_source", top)
    campaigns = _ranked(events, "utm_campaign", top)
    feelings: dict[str, dict[str, Any]] = {
        row["stage"]: dict(row)
        for row in events.values("stage").annotate(
            touchpoints=Count("pk"),
            positive=Count("pk", filter=_REVIEW & Q(payload__rating__gte=4)),
            neutral=Count("pk", filter=_REVIEW & Q(payload__rating=3)),
            negative=Count("pk", filter=_PAIN),
            **{
                f"pain_{kind}": Count(
                    "pk",
                    filter=Q(type=kind, payload__rating__lte=2)
                    if kind in REVIEW_KINDS
                    else Q(type=kind),
                )
                for kind in PAIN_POINT_KINDS
            },
        )
    }
    columns = []
    for stage in (*FUNNEL, Stage.LAPSED, None):
        key = stage.value if stage else ""
        row = feelings.get(key, {})
        columns.append(
            StageTouchpoints(
                stage=stage,
                touchpoints=row.get("touchpoints", 0),
                by_type={t.value: by_type[key].get(t.value, 0) for t in EventType},
                by_touch_channel={
                    c.value: by_touch[key].get(c.value, 0) for c in TouchChannel
                },
                top_utm_sources=sources.get(key, ()),
                top_utm_campaigns=campaigns.get(key, ()),
                pain_points={
                    kind: row.get(f"pain_{kind}", 0) for kind in PAIN_POINT_KINDS
                },
                emotions=Emotions(
                    positive=row.get("positive", 0),
                    neutral=row.get("neutral", 0),
                    negative=row.get("negative", 0),
                ),
            )
        )
    return JourneyMap(channel=channel, period=period, stages=tuple(columns))


def check_top(top: int) -> None:
    if not isinstance(top, int) or isinstance(top, bool) or not 1 <= top <= MAX_TOP:
        raise ValueError(f"`top` must be from 1 to {MAX_TOP}, got {top!r}.")


def map_events(channel: str, period: Period) -> QuerySet[JourneyEvent]:
    """The channel's events of the period that are someone's touchpoint.

    An event with a customer, or with a stage (an erased customer's event keeps
    its stage); an event no one could be found for, or still waiting to be
    processed, has neither.
    """
    return during(channel_events(channel), period).filter(
        Q(customer_id__isnull=False) | ~Q(stage="")
    )


def _grouped(events: QuerySet[JourneyEvent], field: str) -> dict[str, dict[str, int]]:
    found: dict[str, dict[str, int]] = defaultdict(dict)
    for row in events.values("stage", field).annotate(count=Count("pk")):
        found[row["stage"]][row[field]] = row["count"]
    return found


def _ranked(
    events: QuerySet[JourneyEvent], field: str, top: int
) -> dict[str, tuple[tuple[str, int], ...]]:
    """Per stage, the ``top`` most frequent non-empty values, ties by name."""
    found: dict[str, list[tuple[str, int]]] = defaultdict(list)
    rows = (
        events.exclude(**{field: ""})
        .values("stage", field)
        .annotate(count=Count("pk"))
        .order_by("stage", "-count", field)
    )
    for row in rows:
        if len(found[row["stage"]]) < top:
            found[row["stage"]].append((row[field], row["count"]))
    return {stage: tuple(values) for stage, values in found.items()}
