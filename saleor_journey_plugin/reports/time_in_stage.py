"""How long customers stay in each stage."""

from django.db.models import (
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)

from ..core.stages import FUNNEL, Stage
from ..models import Journey, StageTransition
from .period import Period
from .rates import MEDIAN, P90, quantiles
from .results import Durations, StageTime, TimeInStage
from .transitions import channel_transitions, with_time_in_from_stage

STAGES: tuple[Stage, ...] = (*FUNNEL, Stage.LAPSED)


def reference_time_in_stage(channel: str, period: Period) -> TimeInStage:
    """Per stage (the six funnel stages, then LAPSED):

    - ``left``: the transitions out of the stage that happened in the period,
      with the median and 90th percentile (nearest rank) of the time the
      journey had spent in it. Leaving LAPSED is a win-back.
    - ``current``: the journeys whose stage at the end of the period (the
      latest transition before it) is this one, and the median (nearest rank)
      of how long they had been in it at the end of the period. The journey's
      stage now is not used: the figure is as of the end of the period.
    """
    leaving = with_time_in_from_stage(
        channel_transitions(channel).filter(
            occurred_at__gte=period.start_utc, occurred_at__lt=period.end_utc
        )
    )
    stages = []
    for stage in STAGES:
        count, (median, p90) = quantiles(
            leaving.filter(from_stage=stage.value), "duration", MEDIAN, P90
        )
        current, (age,) = quantiles(stages_at(channel, period, stage), "age", MEDIAN)
        stages.append(
            StageTime(
                stage=stage,
                left=Durations(count=count, median=median, p90=p90),
                current=current,
                current_median_age=age,
            )
        )
    return TimeInStage(channel=channel, period=period, stages=tuple(stages))


def stages_at(
    channel: str, period: Period, stage: Stage | None = None
) -> QuerySet[Journey]:
    """The channel's journeys with a stage (``stage`` if given) at the end of the
    period, annotated with that stage (``stage_at_end``) and how long they had
    been in it (``age``).
    """
    latest = StageTransition.objects.filter(
        journey_id=OuterRef("pk"), occurred_at__lt=period.end_utc
    ).order_by("-occurred_at", "-pk")
    end = Value(period.end_utc, output_field=DateTimeField())
    journeys = (
        Journey.objects.filter(channel=channel)
        .annotate(
            stage_at_end=Subquery(latest.values("to_stage")[:1]),
            entered_at=Subquery(latest.values("occurred_at")[:1]),
        )
        .filter(stage_at_end__isnull=False)
        .annotate(
            age=ExpressionWrapper(end - F("entered_at"), output_field=DurationField())
        )
    )
    if stage is not None:
        journeys = journeys.filter(stage_at_end=stage.value)
    return journeys
