"""Store reports computed straight from the plugin's tables.

The exact, reference implementation of the figures in ``docs/kpis.md``: every
report is a runner ``(channel, period, **options)`` returning a frozen
dataclass of ``results``, registered by name in ``registry``. The
``reference_*`` runners read the event log itself; ``rollups`` answers the
same from tables the drain keeps, and ``runners`` picks between them.
"""

from .cohorts import compute_cohorts
from .funnel import reference_funnel
from .journey_map import reference_journey_map
from .kpis import reference_kpis
from .period import Period
from .registry import names, register, runner
from .runners import (
    compute_funnel,
    compute_journey_map,
    compute_kpis,
    compute_time_in_stage,
)
from .series import compute_series
from .time_in_stage import reference_time_in_stage

__all__ = [
    "Period",
    "compute_cohorts",
    "compute_funnel",
    "compute_journey_map",
    "compute_kpis",
    "compute_series",
    "compute_time_in_stage",
    "names",
    "reference_funnel",
    "reference_journey_map",
    "reference_kpis",
    "reference_time_in_stage",
    "register",
    "runner",
]
