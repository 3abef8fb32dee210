"""Tallies of the orders the rollups hold: all-time totals, and sums per day
and month (``triggers.py`` says how a tally is kept)."""

from ...money import THREE_DECIMAL_CURRENCIES, ZERO_DECIMAL_CURRENCIES
from ..models import RollupOrder, RollupOrderDay, RollupOrderTotal
from .triggers import Share, Tally, by_day_and_month


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
