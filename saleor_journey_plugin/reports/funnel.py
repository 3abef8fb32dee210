"""The funnel: how far the customers who entered it in the period got.

The cohort is the journeys of the channel whose first stage transition (from
no stage) happened in the period. A customer *reached* a stage when, by the end
of the period, their journey had been in it or in any later funnel stage
(stages may be skipped: a guest who orders at once reached AWARENESS,
INTEREST and CONSIDERATION with that order). LAPSED is outside the funnel; a
lapsed customer keeps the stages reached before lapsing.

In the preset view, a label covering several canonical stages (``five_stage``
puts INTEREST and CONSIDERATION under "Interest") counts the customers who
reached any of its stages, which is the customers who reached its first stage.
Adding up the customers of each of its stages instead would count a customer
who passed through both twice.
"""

from datetime import timedelta

from django.db.models import Count, Q

from ..core.presets import PRESETS, Language, preset_columns
from ..core.stages import FUNNEL, Stage, rank
from .period import Period
from .rates import MEDIAN, quantiles, rate
from .results import Funnel, FunnelStep
from .transitions import channel_transitions, with_time_in_from_stage


def reference_funnel(
    channel: str,
    period: Period,
    *,
    preset: str | None = None,
    language: str = Language.EN.value,
) -> Funnel:
    """The funnel of canonical stages, or of ``preset``'s labels in ``language``.

    ``drop_off`` is the customers who reached the previous step and not this
    one; the first step's previous step is the cohort itself.
    ``median_time_from_previous`` is, over the cohort's customers who entered
    the step from an earlier stage by the end of the period, the median
    (nearest rank) of the time from entering the stage they came from (the
    previous step's stage, or an earlier one if they skipped it) to entering
    the step. Customers whose first stage is in the step have no time from a
    previous stage and are left out of it.
    """
    steps_of = columns(preset, language)
    cohort = (
        channel_transitions(channel)
        .filter(
            from_stage__isnull=True,
            occurred_at__gte=period.start_utc,
            occurred_at__lt=period.end_utc,
        )
        .values("journey_id")
    )
    by_end = channel_transitions(channel).filter(
        journey_id__in=cohort, occurred_at__lt=period.end_utc
    )
    entered = cohort.count()
    reached = by_end.aggregate(
        **{
            stage.value: Count(
                "journey_id",
                distinct=True,
                filter=Q(
                    to_stage__in=[s.value for s in FUNNEL if rank(s) >= rank(stage)]
                ),
            )
            for stage in FUNNEL
        }
    )
    medians = []
    for _, stages in steps_of:
        earlier = [s.value for s in FUNNEL if rank(s) < rank(stages[0])]
        into_step = by_end.filter(
            to_stage__in=[s.value for s in stages], from_stage__in=earlier
        )
        _, (median,) = quantiles(with_time_in_from_stage(into_step), "duration", MEDIAN)
        medians.append(median)
    steps = funnel_steps(
        steps_of,
        entered,
        [int(reached[stages[0].value]) for _, stages in steps_of],
        medians,
    )
    return Funnel(
        channel=channel,
        period=period,
        preset=preset,
        language=language,
        entered=entered,
        steps=steps,
    )


def funnel_steps(
    steps_of: list[tuple[str, list[Stage]]],
    entered: int,
    customers: list[int],
    medians: list[timedelta | None],
) -> tuple[FunnelStep, ...]:
    """The steps, from the customers who reached each and its median time."""
    steps: list[FunnelStep] = []
    previous = entered
    for (label, stages), reached, median in zip(
        steps_of, customers, medians, strict=True
    ):
        steps.append(
            FunnelStep(
                label=label,
                stages=tuple(stages),
                customers=reached,
                conversion_from_previous=rate(reached, previous),
                conversion_from_first=rate(reached, customers[0]),
                drop_off=previous - reached,
                median_time_from_previous=median,
            )
        )
        previous = reached
    return tuple(steps)


def columns(preset: str | None, language: str) -> list[tuple[str, list[Stage]]]:
    try:
        Language(language)
    except ValueError:
        raise ValueError(
            f"`language` must be one of {', '.join(lang.value for lang in Language)}, "
            f"got {language!r}."
        ) from None
    if preset is None:
        return [(stage.value, [stage]) for stage in FUNNEL]
    if preset not in PRESETS:
        raise ValueError(
            f"`preset` must be one of {', '.join(PRESETS)}, got {preset!r}."
        )
    return [
        (label, stages)
        for label, stages in preset_columns(preset, language)
        if Stage.LAPSED not in stages
    ]
