"""Tallies of the checkouts the rollups hold: started and converted, per day
and month (``triggers.py`` says how a tally is kept)."""

from ..models import RollupCheckout, RollupCheckoutDay
from .triggers import Share, Tally, by_day_and_month

_CHECKOUT_SUMS = ("started", "converted", "came_back", "came_back_converted")
# What a checkout adds on the day it was started, and what a token started
# again adds on the day of its start before (``kpis.CHECKOUTS_STARTED``).
CHECKOUT_STARTED = Share(
    {
        **dict.fromkeys(_CHECKOUT_SUMS, "0"),
        "channel": "channel",
        "started": "1",
        "converted": "CASE WHEN token IS NOT NULL AND converted THEN 1 ELSE 0 END",
    }
)
STARTED_AGAIN = Share(
    {
        **dict.fromkeys(_CHECKOUT_SUMS, "0"),
        "channel": "channel",
        "came_back": "1",
        "came_back_converted": "CASE WHEN converted THEN 1 ELSE 0 END",
    },
    where="token IS NOT NULL AND previous_started_at IS NOT NULL",
)
CHECKOUT_DAYS = Tally(
    name="journey_tally_checkout_days",
    source=RollupCheckout._meta.db_table,
    target=RollupCheckoutDay._meta.db_table,
    keys=("channel", "grain", "day"),
    sums=_CHECKOUT_SUMS,
    shares=(
        *by_day_and_month(CHECKOUT_STARTED, "started_at"),
        *by_day_and_month(STARTED_AGAIN, "previous_started_at"),
    ),
)
