"""Folding applied events into the rollups, and taking them back out.

Every statement reads the events as they are now (customer, stage, payload),
so folding an event in, rewriting it, and folding it in again leaves the
rollups as if the rewritten event had been folded once. Rows that depend on
their neighbours (a customer's order number, the day a customer was last
active) are recomputed for the keys a fold touched.

PostgreSQL only; the example store's SQLite reads the events themselves.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from ...core.events import REVIEWS as REVIEW_EVENTS
from ...core.events import EventType
from ...core.host import get_host
from ...models import JourneyEvent
from ..log import INFERRED
from ..orders import NUMBER
from .models import (
    RollupActiveDay,
    RollupChannel,
    RollupCheckout,
    RollupOrder,
    RollupOrderEvent,
    RollupReview,
    RollupSource,
    RollupTouch,
)
from .tallies.orders import places

EVENTS = JourneyEvent._meta.db_table
CHANNELS = RollupChannel._meta.db_table
ORDERS = RollupOrder._meta.db_table
ORDER_EVENTS = RollupOrderEvent._meta.db_table
CHECKOUTS = RollupCheckout._meta.db_table
REVIEWS = RollupReview._meta.db_table
ACTIVE = RollupActiveDay._meta.db_table
TOUCHES = RollupTouch._meta.db_table
SOURCES = RollupSource._meta.db_table

# The event's local day in its channel's rollup time zone.
DAY = "(e.occurred_at AT TIME ZONE c.time_zone)::date"
_REVIEW_TYPES = ", ".join(f"'{t.value}'" for t in sorted(REVIEW_EVENTS))
# The journey map's mood of a review; the JSON comparisons are the ones the
# reference reports make (``payload__rating__gte=4`` and so on).
MOOD = (
    f"CASE WHEN e.type IN ({_REVIEW_TYPES}) THEN CASE "
    "WHEN e.payload -> 'rating' >= '4'::jsonb THEN 3 "
    "WHEN e.payload -> 'rating' = '3'::jsonb THEN 2 "
    "WHEN e.payload -> 'rating' <= '2'::jsonb THEN 1 ELSE 0 END ELSE 0 END"
)
# A payload amount as a number; NULL (not an error that would stop the drain)
# for anything that is not one.
_NUMBER = f"'{NUMBER}'"


def amount(key: str) -> str:
    return (
        f"CASE WHEN e.payload ->> '{key}' ~ {_NUMBER} "
        f"THEN (e.payload ->> '{key}')::numeric(30, 6) END"
    )


def refunded_so_far(currency: str) -> str:
    """What a refund event ``e`` says its order has had refunded so far, in
    the places of ``currency`` (SQL): ``orders.refunded_so_far`` in SQL."""
    total = f"round({amount('total')}, {places(currency)})"
    refunded = f"round({amount('refunded')}, {places(currency)})"
    return (
        f"greatest(0, coalesce(least(coalesce({refunded}, {total}), "
        f"coalesce({total}, 0)), 0))"
    )


# Applied events of channels with rollups; ``%(ids)s`` names them.
_FOLDED = f"""
FROM {EVENTS} AS e JOIN {CHANNELS} AS c ON c.channel = e.channel
WHERE e.id IN (SELECT unnest(%(ids)s::bigint[])) AND e.processed_at IS NOT NULL
"""
_ACTIVITY = "e.customer_id IS NOT NULL AND e.type NOT IN ({})".format(
    ", ".join(f"'{t.value}'" for t in INFERRED)
)
_ON_MAP = "(e.customer_id IS NOT NULL OR e.stage <> '')"


def _counted(table: str, key: str, select: str, where: str) -> tuple[str, str]:
    """An upsert adding ``%(sign)s`` times the count, and the cleanup after it."""
    positions = ", ".join(str(n + 1) for n in range(key.count(",") + 1))
    add = f"""
    INSERT INTO {table} ({key}, events)
    SELECT {select}, %(sign)s * count(*) {_FOLDED} AND {where}
    GROUP BY {positions}
    ON CONFLICT ({key}) DO UPDATE SET events = {table}.events + EXCLUDED.events
    RETURNING id, events
    """
    return (
        add,
        f"DELETE FROM {table} WHERE id IN (SELECT unnest(%s::bigint[])) "
        "AND events <= 0",
    )


ACTIVE_DAYS = _counted(
    ACTIVE, "channel, customer_id, day", f"e.channel, e.customer_id, {DAY}", _ACTIVITY
)
TOUCH_ROWS = _counted(
    TOUCHES,
    "channel, day, stage, type, touch_channel, mood",
    f"e.channel, {DAY}, e.stage, e.type, e.touch_channel, {MOOD}",
    _ON_MAP,
)
SOURCE_ROWS = [
    _counted(
        SOURCES,
        "channel, day, stage, kind, value",
        f"e.channel, {DAY}, e.stage, '{kind}', e.{column}",
        f"{_ON_MAP} AND e.{column} <> ''",
    )
    for kind, column in (("s", "utm_source"), ("c", "utm_campaign"))
]

INSERT_ORDERS = f"""
INSERT INTO {ORDERS} (event_id, channel, customer_id, placed_at, currency, total,
                      order_id, checkout)
SELECT e.id, e.channel, e.customer_id, e.occurred_at,
       coalesce(e.payload ->> 'currency', ''), {amount("total")},
       e.payload ->> 'order_id', e.payload ->> 'checkout'
{_FOLDED} AND e.type = '{EventType.ORDER_PLACED.value}'
ON CONFLICT (event_id) DO NOTHING
RETURNING channel, customer_id, order_id, checkout
"""
INSERT_ORDER_EVENTS = f"""
INSERT INTO {ORDER_EVENTS} (event_id, channel, kind, order_id, occurred_at,
                            currency, amount, refunded)
SELECT e.id, e.channel,
       CASE e.type WHEN '{EventType.ORDER_CANCELLED.value}' THEN 'C' ELSE 'R' END,
       e.payload ->> 'order_id', e.occurred_at,
       coalesce(e.payload ->> 'currency', ''), {amount("total")},
       CASE e.type WHEN '{EventType.ORDER_REFUNDED.value}'
       THEN {refunded_so_far("coalesce(e.payload ->> 'currency', '')")} END
{_FOLDED} AND e.type IN ('{EventType.ORDER_CANCELLED.value}',
                         '{EventType.ORDER_REFUNDED.value}')
ON CONFLICT (event_id) DO NOTHING
RETURNING channel, order_id
"""
INSERT_CHECKOUTS = f"""
INSERT INTO {CHECKOUTS} (event_id, channel, token, started_at, converted)
SELECT e.id, e.channel, e.payload ->> 'checkout', e.occurred_at, false
{_FOLDED} AND e.type = '{EventType.CHECKOUT_STARTED.value}'
ON CONFLICT (event_id) DO NOTHING
RETURNING channel, token
"""
INSERT_REVIEWS = f"""
INSERT INTO {REVIEWS} (event_id, channel, occurred_at, satisfied, review_id, edit)
SELECT e.id, e.channel, e.occurred_at, e.payload -> 'rating' >= '4'::jsonb,
       e.payload ->> 'review_id', e.type = '{EventType.REVIEW_EDITED.value}'
{_FOLDED} AND e.type IN ({_REVIEW_TYPES})
  AND e.payload -> 'rating' >= '1'::jsonb AND e.payload -> 'rating' <= '5'::jsonb
ON CONFLICT (event_id) DO NOTHING
"""
DELETE_ORDERS = (
    f"DELETE FROM {ORDERS} WHERE event_id IN (SELECT unnest(%(ids)s::bigint[])) "
    "RETURNING channel, customer_id, order_id, checkout"
)
DELETE_ORDER_EVENTS = (
    f"DELETE FROM {ORDER_EVENTS} WHERE event_id IN (SELECT unnest(%(ids)s::bigint[])) "
    "RETURNING channel, order_id"
)
DELETE_CHECKOUTS = (
    f"DELETE FROM {CHECKOUTS} WHERE event_id IN (SELECT unnest(%(ids)s::bigint[])) "
    "RETURNING channel, token"
)
DELETE_REVIEWS = (
    f"DELETE FROM {REVIEWS} WHERE event_id IN (SELECT unnest(%(ids)s::bigint[]))"
)

# Recomputing rows from their neighbours, for the keys in two arrays.
_KEYS = "SELECT * FROM unnest(%(channels)s::text[], %(keys)s::{type}[])"

ORDER_NUMBERS = f"""
UPDATE {ORDERS} AS o SET ordinal = w.ordinal, previous_placed_at = w.previous
FROM (
    SELECT event_id,
           row_number() OVER mine AS ordinal, lag(placed_at) OVER mine AS previous
    FROM {ORDERS}
    WHERE (channel, customer_id) IN ({_KEYS.format(type="bigint")})
    WINDOW mine AS (PARTITION BY channel, customer_id ORDER BY placed_at, event_id)
) AS w
WHERE o.event_id = w.event_id
  AND (o.ordinal, o.previous_placed_at) IS DISTINCT FROM (w.ordinal, w.previous)
"""
CANCELLATIONS = f"""
UPDATE {ORDERS} AS o SET cancelled_at = k.cancelled_at
FROM (
    SELECT key.channel, key.order_id,
           (SELECT min(x.occurred_at) FROM {ORDER_EVENTS} AS x
            WHERE x.channel = key.channel AND x.order_id = key.order_id
              AND x.kind = 'C') AS cancelled_at
    FROM ({_KEYS.format(type="text")}) AS key(channel, order_id)
) AS k
WHERE o.channel = k.channel AND o.order_id = k.order_id
  AND o.cancelled_at IS DISTINCT FROM k.cancelled_at
"""
# What each refund of an order takes off revenue: what it says so far, less
# the most an earlier refund of the order said (``orders.refund_increment``).
# An order's refunds are taken in time order whatever order they came in, so
# the shares follow when one comes late. A refund naming no order keeps what
# the insert gave it: all it says.
REFUND_SHARES = f"""
UPDATE {ORDER_EVENTS} AS o SET refunded = w.refunded
FROM (
    SELECT event_id,
           greatest(0, so_far - coalesce(max(so_far) OVER (
               PARTITION BY channel, order_id, currency
               ORDER BY occurred_at, event_id
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)) AS refunded
    FROM (
        SELECT r.event_id, r.channel, r.order_id, r.currency, r.occurred_at,
               {refunded_so_far("r.currency")} AS so_far
        FROM {ORDER_EVENTS} AS r JOIN {EVENTS} AS e ON e.id = r.event_id
        WHERE r.kind = 'R' AND (r.channel, r.order_id) IN ({_KEYS.format(type="text")})
    ) AS x
) AS w
WHERE o.event_id = w.event_id AND o.refunded IS DISTINCT FROM w.refunded
"""
CHECKOUT_FACTS = f"""
UPDATE {CHECKOUTS} AS k SET previous_started_at = w.previous, converted = w.converted
FROM (
    SELECT s.event_id,
           lag(s.started_at) OVER (PARTITION BY s.channel, s.token
                                   ORDER BY s.started_at, s.event_id) AS previous,
           EXISTS (SELECT 1 FROM {ORDERS} AS o
                   WHERE o.channel = s.channel AND o.checkout = s.token) AS converted
    FROM {CHECKOUTS} AS s
    WHERE (s.channel, s.token) IN ({_KEYS.format(type="text")})
) AS w
WHERE k.event_id = w.event_id
  AND (k.previous_started_at, k.converted) IS DISTINCT FROM (w.previous, w.converted)
"""
ACTIVE_FACTS = f"""
UPDATE {ACTIVE} AS a SET previous_day = w.previous
FROM (
    SELECT id,
           lag(day) OVER (PARTITION BY channel, customer_id ORDER BY day) AS previous
    FROM {ACTIVE}
    WHERE (channel, customer_id) IN ({_KEYS.format(type="bigint")})
) AS w
WHERE a.id = w.id AND a.previous_day IS DISTINCT FROM w.previous
"""
ACTIVE_CUSTOMERS = f"""
SELECT DISTINCT e.channel, e.customer_id {_FOLDED} AND {_ACTIVITY}
"""
NEW_CHANNELS = f"""
SELECT DISTINCT e.channel FROM {EVENTS} AS e
WHERE e.id IN (SELECT unnest(%(ids)s::bigint[])) AND e.channel <> ''
  AND NOT EXISTS (SELECT 1 FROM {CHANNELS} AS c WHERE c.channel = e.channel)
"""


@dataclass
class _Touched:
    """Keys whose neighbour-dependent rows need recomputing."""

    buyers: set[tuple[str, int]] = field(default_factory=set)
    orders: set[tuple[str, str]] = field(default_factory=set)
    checkouts: set[tuple[str, str]] = field(default_factory=set)
    active: set[tuple[str, int]] = field(default_factory=set)

    def add_orders(self, rows: Sequence[Any]) -> None:
        for channel, customer_id, order_id, checkout in rows:
            if customer_id is not None:
                self.buyers.add((channel, customer_id))
            if order_id is not None:
                self.orders.add((channel, order_id))
            if checkout is not None:
                self.checkouts.add((channel, checkout))


# The same statements over a whole channel, for a rebuild.
# (A join on the unnested ids, not ``= ANY``: the planner then reads them by
# primary key instead of testing every row against the whole array.)
_BY_ID = "e.id IN (SELECT unnest(%(ids)s::bigint[]))"
_BY_CHANNEL = "e.channel = %(channel)s"


def _whole_channel(statement: str) -> str:
    return statement.replace(_BY_ID, _BY_CHANNEL)


def _whole(statement: str, keyed: str, channel: str) -> str:
    """A recompute statement over a whole channel: ``keyed`` (where it names
    its keys) becomes ``channel``, the channel's rows or keys."""
    assert keyed in statement
    return statement.replace(keyed, channel)


_BIGINT_KEYS = _KEYS.format(type="bigint")
_TEXT_KEYS = _KEYS.format(type="text")
CHANNEL_RECOMPUTE = (
    _whole(
        ORDER_NUMBERS,
        f"(channel, customer_id) IN ({_BIGINT_KEYS})",
        "channel = %(channel)s AND customer_id IS NOT NULL",
    ),
    _whole(
        CANCELLATIONS,
        _TEXT_KEYS,
        f"SELECT DISTINCT channel, order_id FROM {ORDER_EVENTS} "
        "WHERE channel = %(channel)s AND kind = 'C' AND order_id IS NOT NULL",
    ),
    _whole(
        REFUND_SHARES,
        f"(r.channel, r.order_id) IN ({_TEXT_KEYS})",
        "r.channel = %(channel)s AND r.order_id IS NOT NULL",
    ),
    _whole(
        CHECKOUT_FACTS,
        f"(s.channel, s.token) IN ({_TEXT_KEYS})",
        "s.channel = %(channel)s AND s.token IS NOT NULL",
    ),
    _whole(
        ACTIVE_FACTS,
        f"(channel, customer_id) IN ({_BIGINT_KEYS})",
        "channel = %(channel)s",
    ),
)


def fold_channel(channel: str) -> None:
    """Fold every applied event of a channel whose rollups are empty."""
    params: dict[str, Any] = {"channel": channel, "sign": 1}
    with connection.cursor() as cursor:
        for add, _ in (ACTIVE_DAYS, TOUCH_ROWS, *SOURCE_ROWS):
            cursor.execute(_whole_channel(add), params)
        for statement in (
            INSERT_ORDERS,
            INSERT_ORDER_EVENTS,
            INSERT_CHECKOUTS,
            INSERT_REVIEWS,
        ):
            cursor.execute(_whole_channel(statement), params)
        # The recomputes join the tables just filled: without statistics the
        # planner takes them for empty and nests loops over whole tables.
        cursor.execute(f"ANALYZE {ORDERS}, {ORDER_EVENTS}, {CHECKOUTS}, {ACTIVE}")
        for statement in CHANNEL_RECOMPUTE:
            cursor.execute(_whole_channel(statement), params)


def fold(event_ids: Sequence[int], sign: int) -> None:
    """Add (``sign`` 1) or take back (-1) these applied events."""
    if connection.vendor != "postgresql" or not event_ids:
        return
    params: dict[str, Any] = {"ids": list(event_ids), "sign": sign}
    touched = _Touched()
    with connection.cursor() as cursor:
        if sign > 0:
            _open_channels(cursor, params)
        cursor.execute(ACTIVE_CUSTOMERS, params)
        touched.active.update(cursor.fetchall())
        for add, cleanup in (ACTIVE_DAYS, TOUCH_ROWS, *SOURCE_ROWS):
            cursor.execute(add, params)
            emptied = [pk for pk, events in cursor.fetchall() if events <= 0]
            if emptied:
                cursor.execute(cleanup, [emptied])
        if sign > 0:
            statements = (INSERT_ORDERS, INSERT_ORDER_EVENTS, INSERT_CHECKOUTS)
        else:
            statements = (DELETE_ORDERS, DELETE_ORDER_EVENTS, DELETE_CHECKOUTS)
        orders, order_events, checkouts = statements
        cursor.execute(orders, params)
        touched.add_orders(cursor.fetchall())
        cursor.execute(order_events, params)
        touched.orders.update(row for row in cursor.fetchall() if row[1] is not None)
        cursor.execute(checkouts, params)
        touched.checkouts.update(row for row in cursor.fetchall() if row[1] is not None)
        cursor.execute(INSERT_REVIEWS if sign > 0 else DELETE_REVIEWS, params)
        _recompute(cursor, touched)


def _recompute(cursor: Any, touched: _Touched) -> None:
    for statement, keys in (
        (ORDER_NUMBERS, touched.buyers),
        (CANCELLATIONS, touched.orders),
        (REFUND_SHARES, touched.orders),
        (CHECKOUT_FACTS, touched.checkouts),
        (ACTIVE_FACTS, touched.active),
    ):
        if keys:
            ordered = sorted(keys)
            cursor.execute(
                statement,
                {
                    "channels": [channel for channel, _ in ordered],
                    "keys": [key for _, key in ordered],
                },
            )


def _open_channels(cursor: Any, params: dict[str, Any]) -> None:
    """Start the rollups of channels seen for the first time.

    A channel with applied events from before the rollups existed got a stale
    row from the migration, so a channel without a row has nothing earlier.
    """
    cursor.execute(NEW_CHANNELS, params)
    for (channel,) in cursor.fetchall():
        cursor.execute(
            f"INSERT INTO {CHANNELS} (channel, time_zone, ready) VALUES (%s, %s, true) "
            "ON CONFLICT (channel) DO NOTHING",
            [channel, channel_time_zone(channel)],
        )


def channel_time_zone(channel: str) -> str:
    try:
        settings = get_host().channel_settings(channel)
    except Exception:  # a host that cannot tell counts in UTC
        settings = None
    return settings.time_zone if settings else "UTC"
