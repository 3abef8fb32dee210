"""Orders and checkouts from the day-and-month tallies.

A customer counts once among a period's buyers, at their first order there:
the tallies count the customers' orders, and those whose previous order was
in the period too (``came_back``, by the day of that previous order). Worked
by hand here; ``test_rollups.py`` checks them against the reference on random
stores.
"""

from datetime import date
from decimal import Decimal

from saleor_journey_plugin.core.events import EventType
from saleor_journey_plugin.core.processing import drain
from saleor_journey_plugin.reports import Period, reference_kpis
from saleor_journey_plugin.reports.rollups.kpis import rollup_kpis
from saleor_journey_plugin.reports.rollups.models import RollupOrderDay
from saleor_journey_plugin.reports.rollups.state import usable

from .store import ANN, BOB, USD, ny, order

E = EventType


def ann_orders_three_times_and_bob_cancels() -> None:
    """Ann orders at 20:00 on Jan 30 (01:00 UTC on Jan 31), on Feb 10 and on
    Mar 5; Bob orders on Feb 20 and cancels on Mar 2."""
    order(E.ORDER_PLACED, 1, ny(2026, 1, 30, 20, 0), ANN, "10.00")
    order(E.ORDER_PLACED, 2, ny(2026, 2, 10, 9, 0), ANN, "20.00")
    order(E.ORDER_PLACED, 3, ny(2026, 2, 20, 9, 0), BOB, "40.00")
    order(E.ORDER_CANCELLED, 3, ny(2026, 3, 2, 9, 0), BOB, "40.00")
    order(E.ORDER_PLACED, 4, ny(2026, 3, 5, 9, 0), ANN, "80.00")
    drain()


def test_a_later_order_is_tallied_on_the_day_of_the_one_before(new_york):
    # when
    ann_orders_three_times_and_bob_cancels()

    # then: by UTC day placed, and came_back by the UTC day of the order before
    days = {
        row.day: (row.orders, row.first_orders, row.sales, row.came_back)
        for row in RollupOrderDay.objects.filter(channel=USD, grain="D")
    }
    assert days == {
        date(2026, 1, 31): (1, 1, Decimal("10.00"), 1),
        date(2026, 2, 10): (1, 0, Decimal("20.00"), 1),
        date(2026, 2, 20): (1, 1, Decimal("0.00"), 0),
        date(2026, 3, 5): (1, 0, Decimal("80.00"), 0),
    }


def test_february_counts_ann_as_returning_and_bobs_order_as_a_sale(new_york):
    # given: Bob cancelled after February ended
    ann_orders_three_times_and_bob_cancels()
    february = Period(date(2026, 2, 1), date(2026, 3, 1), "America/New_York")
    assert usable(USD, february)

    # when
    kpis = rollup_kpis(USD, february, currency="USD")

    # then
    assert (kpis.orders, kpis.buyers) == (2, 2)
    assert kpis.returning_customer_rate == Decimal("0.5")
    assert kpis.average_order_value is not None
    assert kpis.average_order_value.amount == Decimal("30.00")
    assert kpis == reference_kpis(USD, february, currency="USD")


def test_ann_counts_once_when_two_of_her_orders_fall_in_the_period(new_york):
    # given: Feb 1 to Mar 10; Bob's order was cancelled within it
    ann_orders_three_times_and_bob_cancels()
    period = Period(date(2026, 2, 1), date(2026, 3, 10), "America/New_York")

    # when
    kpis = rollup_kpis(USD, period, currency="USD")

    # then: Ann's Mar 5 order came back within the period
    assert (kpis.orders, kpis.buyers) == (3, 2)
    assert kpis.returning_customer_rate == Decimal("0.5")
    assert kpis.average_order_value is not None
    assert kpis.average_order_value.amount == Decimal("50.00")
    assert kpis == reference_kpis(USD, period, currency="USD")
