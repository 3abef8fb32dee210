"""Revenue less refunds, partial ones included: each refund takes its share.

The Saleor adapter records each refund with what the order has had refunded
so far (``refunded``, cumulative) and ``"partial": true`` until that reaches
the total. Every figure here is checked from the rollups (the channel's days
are UTC, as the periods') and from the event log, which must agree exactly.
"""

from datetime import UTC, date, datetime
from decimal import Decimal
from importlib import import_module

import pytest
from django.db import connection

from saleor_journey_plugin.core.events import EventType as E
from saleor_journey_plugin.core.processing import drain
from saleor_journey_plugin.models import JourneyEvent
from saleor_journey_plugin.reports import Period, compute_series, reference_kpis
from saleor_journey_plugin.reports.results import Kpis, Money
from saleor_journey_plugin.reports.rollups.kpis import rollup_kpis
from saleor_journey_plugin.reports.rollups.models import RollupOrderEvent
from saleor_journey_plugin.reports.rollups.state import rebuild, usable

from .store import ANN, BOB, USD, order, record

pytestmark = pytest.mark.django_db
MIGRATION = import_module(
    "saleor_journey_plugin.migrations.0017_partial_refunds_in_revenue"
)

FEBRUARY = Period(date(2026, 2, 1), date(2026, 3, 1), "UTC")
MARCH = Period(date(2026, 3, 1), date(2026, 4, 1), "UTC")
FEBRUARY_AND_MARCH = Period(date(2026, 2, 1), date(2026, 4, 1), "UTC")


def at(month: int, day: int, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


def usd(amount: str) -> Money:
    return Money(Decimal(amount), "USD")


def refund(
    number: int,
    refunded: str | None,
    when: datetime,
    *,
    total: str = "100.00",
    key: str | None = None,
) -> None:
    """A refund as the Saleor adapter records it: ``refunded`` so far, partial
    below the total; without ``refunded``, a full refund of an older event."""
    payload: dict[str, object] = {
        "order_id": str(number),
        "total": total,
        "currency": "USD",
    }
    if refunded is not None:
        payload["refunded"] = refunded
        if Decimal(refunded) < Decimal(total):
            payload["partial"] = True
    milestone = f"refunded:{refunded}" if payload.get("partial") else "refunded"
    record(
        E.ORDER_REFUNDED,
        key or f"order:{number}:{milestone}",
        when,
        ANN,
        payload=payload,
    )


def kpis(period: Period) -> Kpis:
    """The KPIs from the rollups, once checked equal to the event log's."""
    assert usable(USD, period)
    from_rollups = rollup_kpis(USD, period)
    assert from_rollups == reference_kpis(USD, period)
    return from_rollups


def revenue(period: Period) -> Money | None:
    return kpis(period).revenue


def test_a_partial_then_the_full_refund_in_one_period_take_the_total_once():
    # given: Ann's #1 (100.00) refunded 30.00, then in full, in February;
    # Bob's #2 (50.00) kept
    order(E.ORDER_PLACED, 1, at(2, 3), ANN, "100.00")
    order(E.ORDER_PLACED, 2, at(2, 4), BOB, "50.00")
    refund(1, "30.00", at(2, 5))
    drain()
    partly = kpis(FEBRUARY)
    refund(1, "100.00", at(2, 10))
    drain()

    # when
    february = kpis(FEBRUARY)

    # then: 150.00 less 30.00, then less the other 70.00; the order value is
    # gross (before refunds); the customer value follows revenue (2 buyers)
    assert partly.revenue == usd("120.00")
    assert february.revenue == usd("50.00")
    assert february.average_order_value == usd("75.00")
    assert february.average_customer_value == usd("25.00")


@pytest.mark.parametrize("rest", ["100.00", None])
def test_a_refund_counts_in_the_period_it_is_recorded_in(rest):
    # given: #1 (100.00) placed and refunded 30.00 in February; the rest in
    # March (the adapter's full refund, or an older event without an amount)
    order(E.ORDER_PLACED, 1, at(2, 3), ANN, "100.00")
    refund(1, "30.00", at(2, 20))
    refund(1, rest, at(3, 5))
    drain()

    # when/then: each period subtracts its own share
    assert revenue(FEBRUARY) == usd("70.00")
    assert revenue(MARCH) == usd("-70.00")
    assert revenue(FEBRUARY_AND_MARCH) == usd("0.00")
    # the customer value is all-time: 0.00 once everything was refunded
    assert kpis(MARCH).average_customer_value == usd("0.00")


def test_a_redelivered_or_late_refund_subtracts_what_it_adds_once():
    # given: #1 (100.00); 60.00 so far refunded on Feb 6 is applied first,
    # then the 30.00 refund before it (Feb 4) arrives late, then the 30.00
    # refund again under another key (the backfill's), on Feb 7
    order(E.ORDER_PLACED, 1, at(2, 3), ANN, "100.00")
    refund(1, "60.00", at(2, 6))
    drain()
    refund(1, "30.00", at(2, 4))
    drain()
    refund(1, "30.00", at(2, 7), key="backfill:order:1:refunded:30.00")
    refund(1, "60.00", at(2, 6))  # the same key again: recorded once
    drain()

    # when/then: 30.00 on Feb 4, 30.00 more on Feb 6, nothing on Feb 7
    assert revenue(FEBRUARY) == usd("40.00")
    assert revenue(Period(date(2026, 2, 4), date(2026, 2, 5), "UTC")) == usd("-30.00")
    assert revenue(Period(date(2026, 2, 6), date(2026, 2, 7), "UTC")) == usd("-30.00")
    assert revenue(Period(date(2026, 2, 7), date(2026, 2, 8), "UTC")) == usd("0.00")


def test_an_over_refund_takes_no_more_than_the_orders_total():
    # given: #1 (100.00) refunded 80.00, then 120.00 so far (more than the
    # order); #2 (40.00) refunded 55.00 at once
    order(E.ORDER_PLACED, 1, at(2, 3), ANN, "100.00")
    order(E.ORDER_PLACED, 2, at(2, 3), BOB, "40.00")
    refund(1, "80.00", at(2, 4))
    refund(1, "120.00", at(2, 5))
    refund(2, "55.00", at(2, 6), total="40.00")
    drain()

    # when/then: each order loses its total, no more
    assert revenue(FEBRUARY) == usd("0.00")
    assert revenue(Period(date(2026, 2, 5), date(2026, 3, 1), "UTC")) == usd("-60.00")


def test_a_cancelled_orders_refunds_are_left_out():
    # given: #1 (100.00) refunded 30.00 on Feb 4 and cancelled on Feb 10; #2
    # (50.00) refunded 20.00 in February and cancelled in March
    order(E.ORDER_PLACED, 1, at(2, 3), ANN, "100.00")
    order(E.ORDER_PLACED, 2, at(2, 3), BOB, "50.00")
    refund(1, "30.00", at(2, 4))
    order(E.ORDER_CANCELLED, 1, at(2, 10), ANN, "100.00")
    refund(2, "20.00", at(2, 4), total="50.00")
    order(E.ORDER_CANCELLED, 2, at(3, 2), BOB, "50.00")
    drain()

    # when/then: before its cancellation #1 counts less its refund; after,
    # neither its total nor its refund counts. #2's cancellation came after
    # February, so February keeps it, less its refund
    assert revenue(Period(date(2026, 2, 1), date(2026, 2, 8), "UTC")) == usd("100.00")
    assert revenue(FEBRUARY) == usd("30.00")
    assert revenue(FEBRUARY_AND_MARCH) == usd("0.00")


def test_the_series_buckets_subtract_each_refunds_share():
    # given: #1 (100.00) on Monday Feb 2, refunded 30.00 on Feb 4 and 70.00
    # more on Feb 11 (full); #2 (50.00) on Feb 12 refunded 20.00 on Feb 18
    order(E.ORDER_PLACED, 1, at(2, 2), ANN, "100.00")
    refund(1, "30.00", at(2, 4))
    refund(1, "100.00", at(2, 11))
    order(E.ORDER_PLACED, 2, at(2, 12), BOB, "50.00")
    refund(2, "20.00", at(2, 18), total="50.00")
    drain()
    period = Period(date(2026, 2, 2), date(2026, 2, 23), "UTC")

    # when
    weeks = compute_series(USD, period, interval="week")
    days = compute_series(USD, period, interval="day")
    month = compute_series(USD, FEBRUARY, interval="month")

    # then
    assert [b.revenue for b in weeks.buckets] == [
        usd("70.00"),
        usd("-20.00"),
        usd("-20.00"),
    ]
    by_day = {b.start: b.revenue for b in days.buckets if b.revenue != usd("0.00")}
    assert by_day == {
        date(2026, 2, 2): usd("100.00"),
        date(2026, 2, 4): usd("-30.00"),
        date(2026, 2, 11): usd("-70.00"),
        date(2026, 2, 12): usd("50.00"),
        date(2026, 2, 18): usd("-20.00"),
    }
    assert [b.revenue for b in month.buckets] == [usd("30.00")]
    assert revenue(period) == usd("30.00")


def test_an_erased_customers_partial_refunds_keep_revenue():
    # given: Ann's #1 (100.00) refunded 30.00, then 45.00 so far
    order(E.ORDER_PLACED, 1, at(2, 3), ANN, "100.00")
    refund(1, "30.00", at(2, 4))
    refund(1, "45.00", at(2, 5))
    drain()
    before = kpis(FEBRUARY)

    # when: Ann's account is deleted
    record(E.CUSTOMER_DELETED, "user:1:deleted", at(3, 2), ANN, channel="")
    drain()

    # then: the refunds keep their amounts and the flag, and revenue stays
    payloads = JourneyEvent.objects.filter(type=E.ORDER_REFUNDED.value).order_by(
        "occurred_at"
    )
    assert [event.payload for event in payloads] == [
        {
            "order_id": "1",
            "total": "100.00",
            "currency": "USD",
            "refunded": refunded,
            "partial": True,
        }
        for refunded in ("30.00", "45.00")
    ]
    after = kpis(FEBRUARY)
    assert before.revenue == after.revenue == usd("55.00")
    assert after.buyers == 0


def test_a_rebuild_gives_the_refund_shares_the_drain_kept():
    # given: refunds applied out of time order, then the rollups rebuilt
    order(E.ORDER_PLACED, 1, at(2, 3), ANN, "100.00")
    refund(1, "60.00", at(2, 6))
    drain()
    refund(1, "30.00", at(2, 4))
    refund(1, "100.00", at(3, 4))
    drain()
    kept = [kpis(period) for period in (FEBRUARY, MARCH)]

    # when
    rebuild(USD, "UTC")

    # then
    assert [kpis(period) for period in (FEBRUARY, MARCH)] == kept
    assert [k.revenue for k in kept] == [usd("40.00"), usd("-40.00")]


def test_the_migration_folds_the_partial_refunds_the_rollups_left_out():
    # given: rollups as they were before partial refunds counted: full
    # refunds only, without their share
    order(E.ORDER_PLACED, 1, at(2, 3), ANN, "100.00")
    order(E.ORDER_PLACED, 2, at(2, 3), BOB, "50.00")
    refund(1, "30.00", at(2, 4))
    refund(1, "100.00", at(3, 4))
    refund(2, None, at(2, 5), total="50.00")
    drain()
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM journey_rollup_order_event WHERE event_id IN "
            "(SELECT id FROM journey_event WHERE payload @> '{\"partial\": true}')"
        )
        cursor.execute("UPDATE journey_rollup_order_event SET refunded = NULL")

    # when
    with connection.schema_editor() as editor:
        editor.execute(MIGRATION.FILL)

    # then
    assert RollupOrderEvent.objects.filter(kind="R").count() == 3
    # 150.00 less #1's 30.00 and #2's 50.00; then #1's other 70.00
    assert revenue(FEBRUARY) == usd("70.00")
    assert revenue(MARCH) == usd("-70.00")
