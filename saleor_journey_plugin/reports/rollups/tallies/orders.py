"""The tallies the reports read (``tally.py`` says how they are kept)."""

from ...models import StageTransition
from ..money import THREE_DECIMAL_CURRENCIES, ZERO_DECIMAL_CURRENCIES
from .models import (
    RollupActiveDay,
    RollupActiveTotal,
    RollupCheckout,
    RollupCheckoutDay,
    RollupOrder,
    RollupOrderDay,
    RollupOrderTotal,
    RollupStageDay,
)
from .stage_tallies import STAGE_TALLIES
from .tally import Share, Tally, by_day_and_month


def _quoted(codes: frozenset[str]) -> str:
    return ", ".join(f"'{code}'" for code in sorted(codes))


def places(currency: str) -> str:
    """The decimal places of the currency code ``currency`` (SQL), in SQL."""
    return (
        f"CASE WHEN upper({currency}) IN ({_quoted(ZERO_DECIMAL_CURRENCIES)}) THEN 0 "
        f"WHEN upper({currency}) IN ({_quoted(THREE_DECIMAL_CURRENCIES)}) THEN 3 "
        "ELSE 2 END"
    )


# ``round(total, places)`` as the reports round each order, in SQL.
PLACES = places("currency")
ROUNDED = f"coalesce(round(total, {PLACES}), 0)"


# Journeys in the stage of their latest transition, per UTC day they entered
# it. Days are UTC so the counts do not depend on the channel's time zone; a
# transition with no channel belongs to no report.
STAGE_DAYS = Tally(
    name="journey_tally_stage_days",
    source=StageTransition._meta.db_table,
    target=RollupStageDay._meta.db_table,
    keys=("channel", "stage", "day"),
    sums=("journeys",),
    shares=(
        Share(
            {
                "channel": "channel",
                "stage": "to_stage",
                "day": "(occurred_at AT TIME ZONE 'UTC')::date",
                "journeys": "1",
            },
            where="left_at IS NULL AND channel <> ''",
        ),
    ),
)
# Every order placed, per currency: first and second orders of customers, and
# sales (each order rounded to its currency), all and cancelled.
ORDER_TOTALS = Tally(
    name="journey_tally_order_totals",
    source=RollupOrder._meta.db_table,
    target=RollupOrderTotal._meta.db_table,
    keys=("channel", "currency"),
    sums=("first_orders", "second_orders", "sales", "cancelled_sales"),
    shares=(
        Share(
            {
                "channel": "channel",
                "currency": "currency",
                "first_orders": "CASE WHEN ordinal = 1 THEN 1 ELSE 0 END",
                "second_orders": "CASE WHEN ordinal = 2 THEN 1 ELSE 0 END",
                "sales": ROUNDED,
                "cancelled_sales": (
                    f"CASE WHEN cancelled_at IS NULL THEN 0 ELSE {ROUNDED} END"
                ),
            }
        ),
    ),
)
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
_ORDER_SUMS = (
    "orders",
    "customer_orders",
    "first_orders",
    "sales",
    "sale_orders",
    "came_back",
)
# What an order adds on the day it was placed, and what a customer's next
# order adds on the day of the one before (``kpis.ORDERS_PLACED``).
ORDER_PLACED = Share(
    {
        "channel": "channel",
        "currency": "currency",
        "orders": "1",
        "customer_orders": "CASE WHEN customer_id IS NULL THEN 0 ELSE 1 END",
        "first_orders": (
            "CASE WHEN customer_id IS NOT NULL AND previous_placed_at IS NULL "
            "THEN 1 ELSE 0 END"
        ),
        "sales": f"CASE WHEN cancelled_at IS NULL THEN {ROUNDED} ELSE 0 END",
        "sale_orders": "CASE WHEN cancelled_at IS NULL THEN 1 ELSE 0 END",
        "came_back": "0",
    }
)
ORDERED_AGAIN = Share(
    {
        **dict.fromkeys(_ORDER_SUMS, "0"),
        "channel": "channel",
        "currency": "currency",
        "came_back": "1",
    },
    where="customer_id IS NOT NULL AND previous_placed_at IS NOT NULL",
)
ORDER_DAYS = Tally(
    name="journey_tally_order_days",
    source=RollupOrder._meta.db_table,
    target=RollupOrderDay._meta.db_table,
    keys=("channel", "grain", "day", "currency"),
    sums=_ORDER_SUMS,
    shares=(
        *by_day_and_month(ORDER_PLACED, "placed_at"),
        *by_day_and_month(ORDERED_AGAIN, "previous_placed_at"),
    ),
)
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
TALLIES = (
    STAGE_DAYS,
    ORDER_TOTALS,
    ACTIVE_TOTALS,
    ORDER_DAYS,
    CHECKOUT_DAYS,
    *STAGE_TALLIES,
)
# Their tables: a rebuild recounts them rather than refolding them.
TALLIED: frozenset[str] = frozenset(tally.target for tally in TALLIES)
