"""The tally of active customers per day (``triggers.py`` says how a tally is
kept)."""

from ..models import RollupActiveDay, RollupActiveTotal
from .triggers import Share, Tally

# Per local day: customers active, and customers active again later (their
# next active day names this one as its previous day).
ACTIVE_TOTALS = Tally(
    name="journey_tally_active_totals",
    source=RollupActiveDay._meta.db_table,
    target=RollupActiveTotal._meta.db_table,
    keys=("channel", "day"),
    sums=("active", "came_back"),
    shares=(
        Share({"channel": "channel", "day": "day", "active": "1", "came_back": "0"}),
        Share(
            {
                "channel": "channel",
                "day": "previous_day",
                "active": "0",
                "came_back": "1",
            },
            where="previous_day IS NOT NULL",
        ),
    ),
)
