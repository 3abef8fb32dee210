"""The journey map from the day rollups of touchpoints and UTM sources."""

from collections import defaultdict
from typing import Any

from django.db import connection

from ...core.events import PAIN_POINTS, EventType, TouchChannel
from ...core.stages import FUNNEL, Stage
from ..journey_map import PAIN_POINT_KINDS, check_top
from ..period import Period
from ..results import Emotions, JourneyMap, StageTouchpoints
from .fold import SOURCES, TOUCHES

POSITIVE, NEUTRAL, LOW = 3, 2, 1
_PAIN_TYPES = frozenset(t.value for t in PAIN_POINTS)

TOUCH_COUNTS = f"""
SELECT stage, type, touch_channel, mood, sum(events) FROM {TOUCHES}
WHERE channel = %(channel)s AND day >= %(first_day)s AND day < %(end_day)s
GROUP BY stage, type, touch_channel, mood
"""
# Ties are broken by the database's collation, as in the reference.
TOP_SOURCES = f"""
SELECT stage, kind, value, events FROM (
    SELECT stage, kind, value, sum(events) AS events,
           row_number() OVER (PARTITION BY stage, kind
                              ORDER BY sum(events) DESC, value) AS place
    FROM {SOURCES}
    WHERE channel = %(channel)s AND day >= %(first_day)s AND day < %(end_day)s
    GROUP BY stage, kind, value
) AS ranked
WHERE place <= %(top)s
ORDER BY stage, kind, place
"""


def rollup_journey_map(channel: str, period: Period, *, top: int = 5) -> JourneyMap:
    """The same map as ``reports.journey_map.reference_journey_map``."""
    check_top(top)
    params: dict[str, Any] = {
        "channel": channel,
        "first_day": period.start,
        "end_day": period.end,
        "top": top,
    }
    columns: dict[str, dict[str, Any]] = defaultdict(_empty_column)
    with connection.cursor() as cursor:
        cursor.execute(TOUCH_COUNTS, params)
        for stage, event_type, touch_channel, mood, events in cursor.fetchall():
            column = columns[stage]
            column["touchpoints"] += events
            column["by_type"][event_type] += events
            column["by_touch"][touch_channel] += events
            if mood == POSITIVE:
                column["positive"] += events
            elif mood == NEUTRAL:
                column["neutral"] += events
            if mood == LOW or event_type in _PAIN_TYPES:
                column["negative"] += events
                column["pain"][event_type] += events
        cursor.execute(TOP_SOURCES, params)
        for stage, kind, value, events in cursor.fetchall():
            columns[stage]["sources" if kind == "s" else "campaigns"].append(
                (value, events)
            )
    stages = []
    for stage in (*FUNNEL, Stage.LAPSED, None):
        column = columns[stage.value if stage else ""]
        stages.append(
            StageTouchpoints(
                stage=stage,
                touchpoints=column["touchpoints"],
                by_type={t.value: column["by_type"][t.value] for t in EventType},
                by_touch_channel={
                    c.value: column["by_touch"][c.value] for c in TouchChannel
                },
                top_utm_sources=tuple(column["sources"]),
                top_utm_campaigns=tuple(column["campaigns"]),
                pain_points={kind: column["pain"][kind] for kind in PAIN_POINT_KINDS},
                emotions=Emotions(
                    positive=column["positive"],
                    neutral=column["neutral"],
                    negative=column["negative"],
                ),
            )
        )
    return JourneyMap(channel=channel, period=period, stages=tuple(stages))


def _empty_column() -> dict[str, Any]:
    return {
        "touchpoints": 0,
        "by_type": defaultdict(int),
        "by_touch": defaultdict(int),
        "pain": defaultdict(int),
        "positive": 0,
        "neutral": 0,
        "negative": 0,
        "sources": [],
        "campaigns": [],
    }
