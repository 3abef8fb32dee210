"""The registered reports: from the rollups where they can answer, else the log.

Both give the same values; ``tests/reports/test_rollups.py`` holds them to it.
"""

from ..core.presets import Language
from .funnel import reference_funnel
from .journey_map import DEFAULT_TOP, reference_journey_map
from .kpis import reference_kpis
from .period import Period
from .registry import register
from .results import Funnel, JourneyMap, Kpis, TimeInStage
from .rollups.funnel import rollup_funnel
from .rollups.journey_map import rollup_journey_map
from .rollups.kpis import rollup_kpis
from .rollups.state import usable
from .rollups.time_in_stage import rollup_time_in_stage
from .time_in_stage import reference_time_in_stage


@register("kpis")
def compute_kpis(channel: str, period: Period, *, currency: str | None = None) -> Kpis:
    """Every KPI of ``docs/kpis.md`` for ``channel`` over ``period``.

    ``currency`` is the channel's currency (Saleor's ``Channel.currency_code``);
    without it, the currency of the channel's latest order is used.
    """
    if usable(channel, period):
        return rollup_kpis(channel, period, currency=currency)
    return reference_kpis(channel, period, currency=currency)


@register("funnel")
def compute_funnel(
    channel: str,
    period: Period,
    *,
    preset: str | None = None,
    language: str = Language.EN.value,
) -> Funnel:
    """The funnel of canonical stages, or of ``preset``'s labels in ``language``."""
    if usable(channel, period):
        return rollup_funnel(channel, period, preset=preset, language=language)
    return reference_funnel(channel, period, preset=preset, language=language)


@register("time_in_stage")
def compute_time_in_stage(channel: str, period: Period) -> TimeInStage:
    """Time spent in each stage, and who is in it at the end of the period."""
    if usable(channel, period):
        return rollup_time_in_stage(channel, period)
    return reference_time_in_stage(channel, period)


@register("journey_map")
def compute_journey_map(
    channel: str, period: Period, *, top: int = DEFAULT_TOP
) -> JourneyMap:
    """Per stage: the touchpoints of the period and what they were."""
    if usable(channel, period):
        return rollup_journey_map(channel, period, top=top)
    return reference_journey_map(channel, period, top=top)
