"""Stage transitions as the reports read them, and the time spent in a stage."""

from django.db.models import (
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)

from ..models import StageTransition


def channel_transitions(channel: str) -> QuerySet[StageTransition]:
    return StageTransition.objects.filter(journey__channel=channel)


def entered_from_stage() -> Subquery:
    """When the outer transition's journey last entered its ``from_stage``.

    That is the latest earlier transition of the same journey into that stage
    (ties in time broken by id, the order transitions were written in).
    """
    earlier = (
        StageTransition.objects.filter(
            journey_id=OuterRef("journey_id"), to_stage=OuterRef("from_stage")
        )
        .filter(
            Q(occurred_at__lt=OuterRef("occurred_at"))
            | Q(occurred_at=OuterRef("occurred_at"), pk__lt=OuterRef("pk"))
        )
        .order_by("-occurred_at", "-pk")
        .values("occurred_at")[:1]
    )
    return Subquery(earlier)


def with_time_in_from_stage(
    transitions: QuerySet[StageTransition],
) -> QuerySet[StageTransition]:
    """Annotate ``duration``: how long the journey had been in ``from_stage``.

    Transitions from no stage (a journey's first) have no such time and are
    left out.
    """
    return (
        transitions.filter(from_stage__isnull=False)
        .annotate(entered_from=entered_from_stage())
        .filter(entered_from__isnull=False)
        .annotate(
            duration=ExpressionWrapper(
                F("occurred_at") - F("entered_from"), output_field=DurationField()
            )
        )
    )
