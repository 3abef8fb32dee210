"""The KPIs from the rollups: a handful of index range scans."""

from decimal import Decimal
from typing import Any

from django.db import connection

from ..kpis import as_money, complement
from ..money import check_currency, decimal_places
from ..period import Period
from ..rates import PRECISION, rate
from ..results import Kpis
from .fold import ACTIVE, CHECKOUTS, ORDER_EVENTS, ORDERS, REVIEWS
from .models import RollupActiveTotal, RollupOrderTotal
from .spans import IN_WHOLE_DAYS, Spans, over_partial_days
from .tallies.checkouts import CHECKOUT_DAYS, CHECKOUT_STARTED, STARTED_AGAIN
from .tallies.orders import ORDER_DAYS, ORDER_PLACED, ORDERED_AGAIN, ROUNDED
from .tallies.transitions import LAPSE, LAPSE_DAYS, TRANSITIONS

ORDER_TOTALS = RollupOrderTotal._meta.db_table
ACTIVE_TOTALS = RollupActiveTotal._meta.db_table

# Customers active in [a, b), each once: the days' actives, less those who
# came back later within the period. Who came back is known by day left
# (``came_back``); the ones whose next day is on or after b are rows, few for
# a period that ends near now.
ACTIVE_CUSTOMERS = f"""
SELECT coalesce(sum(active) - sum(came_back), 0)
       + (SELECT count(*) FROM {ACTIVE}
          WHERE channel = %(channel)s AND day >= %(end_day)s
            AND previous_day >= %(first_day)s AND previous_day < %(end_day)s)
FROM {ACTIVE_TOTALS}
WHERE channel = %(channel)s AND day >= %(first_day)s AND day < %(end_day)s
"""
# Checkouts started in the period, a token once, at its first start there:
# the starts, less the tokens started again within the period (known by the
# day of the start before, ``came_back``), plus those started again only after
# the period ended (few, for a period that ends near now).
_CHECKOUTS_ON_PARTIAL_DAYS = over_partial_days(
    f"""
    SELECT {CHECKOUT_STARTED.columns(*CHECKOUT_DAYS.sums)} FROM {CHECKOUTS}
    WHERE channel = %(channel)s AND {CHECKOUT_STARTED.where}
      AND started_at >= PARTIAL_LOW AND started_at < PARTIAL_HIGH
    UNION ALL
    SELECT {STARTED_AGAIN.columns(*CHECKOUT_DAYS.sums)} FROM {CHECKOUTS}
    WHERE channel = %(channel)s AND {STARTED_AGAIN.where}
      AND previous_started_at >= PARTIAL_LOW AND previous_started_at < PARTIAL_HIGH
      AND started_at < %(end)s
    """
)
CHECKOUTS_STARTED = f"""
SELECT coalesce(sum(started) - sum(came_back), 0),
       coalesce(sum(converted) - sum(came_back_converted), 0)
FROM (
    SELECT {", ".join(f"t.{name}" for name in CHECKOUT_DAYS.sums)}
    FROM {CHECKOUT_DAYS.target} AS t
    WHERE t.channel = %(channel)s AND {IN_WHOLE_DAYS}
    UNION ALL
    {_CHECKOUTS_ON_PARTIAL_DAYS}
    UNION ALL
    SELECT 0, 0, -1, CASE WHEN converted THEN -1 ELSE 0 END FROM {CHECKOUTS}
    WHERE channel = %(channel)s AND started_at >= %(end)s AND token IS NOT NULL
      AND previous_started_at >= %(whole_start)s
      AND previous_started_at < %(whole_end)s
) AS started
"""
# A sale at the end of the period: in the currency, not cancelled by then.
_SALE = "currency = %(currency)s AND (cancelled_at IS NULL OR cancelled_at >= %(end)s)"
_ORDER_COLUMNS = (*ORDER_DAYS.sums, "currency")
_ORDERS_ON_PARTIAL_DAYS = over_partial_days(
    f"""
    SELECT {ORDER_PLACED.columns(*_ORDER_COLUMNS)} FROM {ORDERS}
    WHERE channel = %(channel)s AND {ORDER_PLACED.where}
      AND placed_at >= PARTIAL_LOW AND placed_at < PARTIAL_HIGH
    UNION ALL
    SELECT {ORDERED_AGAIN.columns(*_ORDER_COLUMNS)} FROM {ORDERS}
    WHERE channel = %(channel)s AND {ORDERED_AGAIN.where}
      AND previous_placed_at >= PARTIAL_LOW AND previous_placed_at < PARTIAL_HIGH
      AND placed_at < %(end)s
    """
)
# Orders placed in the period: all, and of customers, less those whose
# previous order was in the period too (``came_back``, as for checkouts);
# sales are those in the currency not cancelled by the end of the period.
ORDERS_PLACED = f"""
SELECT coalesce(sum(orders), 0),
       coalesce(sum(customer_orders) - sum(came_back), 0),
       coalesce(sum(customer_orders) - sum(first_orders) - sum(came_back), 0),
       coalesce(sum(sales) FILTER (WHERE currency = %(currency)s), 0),
       coalesce(sum(sale_orders) FILTER (WHERE currency = %(currency)s), 0)
FROM (
    SELECT {", ".join(f"t.{name}" for name in _ORDER_COLUMNS)}
    FROM {ORDER_DAYS.target} AS t
    WHERE t.channel = %(channel)s AND {IN_WHOLE_DAYS}
    UNION ALL
    {_ORDERS_ON_PARTIAL_DAYS}
    UNION ALL
    SELECT 0, 0, 0, 0, 0, -1, currency FROM {ORDERS}
    WHERE channel = %(channel)s AND placed_at >= %(end)s
      AND customer_id IS NOT NULL AND previous_placed_at >= %(whole_start)s
      AND previous_placed_at < %(whole_end)s
    UNION ALL
    -- Placed in the period and cancelled after it: a sale at its end.
    SELECT 0, 0, 0, {ROUNDED}, 1, 0, currency FROM {ORDERS}
    WHERE channel = %(channel)s AND cancelled_at >= %(end)s
      AND placed_at >= %(start)s AND placed_at < %(end)s
) AS placed
"""
# All-time figures: the running totals, less the orders placed, and plus the
# cancellations made, since the end of the period (few, for a recent end).
_PLACED_SINCE = "channel = %(channel)s AND placed_at >= %(end)s"
_ROUNDED = "coalesce(round(total, %(places)s), 0)"
SALES_TO_END = f"""
SELECT coalesce((SELECT sales - cancelled_sales FROM {ORDER_TOTALS}
                 WHERE channel = %(channel)s AND currency = %(currency)s), 0)
     + coalesce((SELECT sum({_ROUNDED}) FROM {ORDERS}
                 WHERE channel = %(channel)s AND cancelled_at >= %(end)s
                   AND currency = %(currency)s), 0)
     - coalesce((SELECT sum({_ROUNDED}) FROM {ORDERS}
                 WHERE {_PLACED_SINCE} AND {_SALE}), 0)
"""
# What the refunds took off, for orders not cancelled by the end of the period.
REFUNDS = f"""
SELECT coalesce(sum(r.refunded), 0) FROM {ORDER_EVENTS} AS r
WHERE r.channel = %(channel)s AND r.kind = 'R' AND r.occurred_at < %(end)s
  AND (%(since)s::timestamptz IS NULL OR r.occurred_at >= %(since)s)
  AND r.currency = %(currency)s
  AND NOT EXISTS (
      SELECT 1 FROM {ORDER_EVENTS} AS c
      WHERE c.channel = r.channel AND c.order_id = r.order_id AND c.kind = 'C'
        AND c.occurred_at < %(end)s)
"""
BUYERS_TO_END = f"""
SELECT coalesce(sum(first_orders), 0) - (SELECT count(*) FROM {ORDERS}
                                         WHERE {_PLACED_SINCE} AND ordinal = 1),
       coalesce(sum(second_orders), 0) - (SELECT count(*) FROM {ORDERS}
                                          WHERE {_PLACED_SINCE} AND ordinal = 2)
FROM {ORDER_TOTALS} WHERE channel = %(channel)s
"""
# A review counts with the rating of its latest edit before the end.
REVIEWS_RECEIVED = f"""
SELECT count(*), count(*) FILTER (WHERE coalesce(
    (SELECT x.satisfied FROM {REVIEWS} AS x
     WHERE x.channel = r.channel AND x.review_id = r.review_id AND x.edit
       AND x.occurred_at < %(end)s
     ORDER BY x.occurred_at DESC, x.event_id DESC LIMIT 1),
    r.satisfied))
FROM {REVIEWS} AS r
WHERE r.channel = %(channel)s AND r.occurred_at >= %(start)s
  AND r.occurred_at < %(end)s AND NOT r.edit
"""
# The partial days' lapses and win-backs, read from their rows.
_LAPSES_ON_PARTIAL_DAYS = over_partial_days(
    f"""
    SELECT {LAPSE.columns(*LAPSE_DAYS.sums)} FROM {TRANSITIONS}
    WHERE channel = %(channel)s AND {LAPSE.where}
      AND occurred_at >= PARTIAL_LOW AND occurred_at < PARTIAL_HIGH
    """
)
# Lapses and win-backs: the tallies of the whole UTC days, and the rows of
# the partial ones.
LAPSES = f"""
SELECT coalesce(sum(lapses), 0), coalesce(sum(win_backs), 0) FROM (
    SELECT t.lapses, t.win_backs FROM {LAPSE_DAYS.target} AS t
    WHERE t.channel = %(channel)s AND {IN_WHOLE_DAYS}
    UNION ALL
    {_LAPSES_ON_PARTIAL_DAYS}
) AS lapses
"""
LATEST_CURRENCY = f"""
SELECT currency FROM {ORDERS}
WHERE channel = %(channel)s AND currency <> ''
ORDER BY placed_at DESC, event_id DESC LIMIT 1
"""


def rollup_kpis(channel: str, period: Period, *, currency: str | None = None) -> Kpis:
    """The same figures as ``reports.kpis.reference_kpis``, from the rollups."""
    params: dict[str, Any] = {
        "channel": channel,
        "start": period.start_utc,
        "end": period.end_utc,
        "first_day": period.start,
        "end_day": period.end,
        **Spans(period).params(),
    }
    with connection.cursor() as cursor:

        def one(sql: str) -> Any:
            cursor.execute(sql, params)
            return cursor.fetchone()

        if currency is not None:
            code: str | None = check_currency(currency)
        else:
            found = one(LATEST_CURRENCY)
            code = found[0].upper() if found else None
        params["currency"] = code or ""
        params["places"] = decimal_places(code) if code else 2
        (active,) = one(ACTIVE_CUSTOMERS)
        started, converted = one(CHECKOUTS_STARTED)
        orders, buyers, returning, sales, sales_count = one(ORDERS_PLACED)
        ever_bought, bought_twice = one(BUYERS_TO_END)
        reviews, satisfied = one(REVIEWS_RECEIVED)
        lapsed, win_backs = one(LAPSES)
        revenue = all_time = None
        if code is not None:
            params["since"] = period.start_utc
            (refunded,) = one(REFUNDS)
            revenue = Decimal(sales) - Decimal(refunded)
            params["since"] = None  # all time
            (all_refunded,) = one(REFUNDS)
            (all_sales,) = one(SALES_TO_END)
            all_time = Decimal(all_sales) - Decimal(all_refunded)
    return Kpis(
        channel=channel,
        period=period,
        currency=code,
        active_customers=active,
        checkouts_started=started,
        checkouts_converted=converted,
        cart_abandonment_rate=complement(rate(converted, started)),
        orders=orders,
        buyers=buyers,
        conversion_rate=rate(buyers, active),
        revenue=as_money(revenue, code),
        average_order_value=as_money(
            PRECISION.divide(Decimal(sales), sales_count) if sales_count else None,
            code,
        ),
        returning_customer_rate=rate(returning, buyers),
        repeat_purchase_rate=rate(bought_twice, ever_bought),
        average_customer_value=as_money(
            PRECISION.divide(all_time, ever_bought)
            if ever_bought and all_time is not None
            else None,
            code,
        ),
        reviews=reviews,
        csat=rate(satisfied, reviews),
        lapsed_customers=lapsed,
        win_backs=win_backs,
    )
