"""Store reports computed straight from the plugin's tables.

The exact, reference implementation of the figures in ``docs/kpis.md``: every
report is a runner ``(channel, period, **options)`` returning a frozen
dataclass of ``results``, registered by name in ``registry``. Rollups kept for
speed must agree with these.
"""

from .cohorts import compute_cohorts
from .funnel import compute_funnel
from .journey_map import compute_journey_map
from .kpis import compute_kpis
from .period import Period
from .registry import names, register, runner
from .series import compute_series
from .time_in_stage import compute_time_in_stage

__all__ = [
    "Period",
    "compute_cohorts",
    "compute_funnel",
    "compute_journey_map",
    "compute_kpis",
    "compute_series",
    "compute_time_in_stage",
    "names",
    "register",
    "runner",
]
