"""Time spent in each stage, and the stages customers are in at the end."""

from datetime import date, timedelta

from saleor_journey_plugin.core.stages import Stage
from saleor_journey_plugin.reports import Period, compute_time_in_stage

from .store import USD

FEBRUARY = Period(date(2026, 2, 1), date(2026, 3, 1), "America/New_York")


def figures(report):
    return {
        s.stage: (
            s.left.count,
            s.left.median,
            s.left.p90,
            s.current,
            s.current_median_age,
        )
        for s in report.stages
    }


def test_time_in_each_stage_left_in_february_and_stages_at_its_end(usd_store):
    # given (all of it EST): in February customers left
    # - AWARENESS: Bob after 1h30;
    # - INTEREST: Bob after 24h40, Dan after 5 min;
    # - CONSIDERATION: Bob after 10 min;
    # - PURCHASE: Bob after 3 days, Ann after 26d 1h25 (Jan 10 10:00 to
    #   Feb 5 11:25), Hal after 90d 2h and Eve after 91d 2h (lapsed Feb 9 at
    #   noon, having ordered Nov 11 and Nov 10 at 10:00);
    # - LAPSED: Eve, won back after 15d 22h.
    # At midnight on Mar 1: Cat in INTEREST since Feb 10 15:00; Dan (Feb 12
    # 14:05) and Fay (Feb 28 23:30) in PURCHASE; Bob in RETENTION since Feb 6
    # 10:20; Ann (Feb 5 11:25) and Eve (Feb 25 10:00) in LOYALTY; Hal LAPSED
    # since Feb 9 noon. Gus's first stage comes after the period.

    # when
    report = compute_time_in_stage(USD, FEBRUARY)

    # then: nearest rank, the median of n values is the ceil(n/2)-th smallest,
    # the 90th percentile the ceil(0.9 n)-th
    assert [s.stage for s in report.stages] == list(Stage)
    assert figures(report) == {
        Stage.AWARENESS: (
            1,
            timedelta(hours=1, minutes=30),
            timedelta(hours=1, minutes=30),
            0,
            None,
        ),
        Stage.INTEREST: (
            2,
            timedelta(minutes=5),
            timedelta(hours=24, minutes=40),
            1,
            timedelta(days=18, hours=9),
        ),
        Stage.CONSIDERATION: (
            1,
            timedelta(minutes=10),
            timedelta(minutes=10),
            0,
            None,
        ),
        Stage.PURCHASE: (
            4,
            timedelta(days=26, hours=1, minutes=25),
            timedelta(days=91, hours=2),
            2,
            timedelta(minutes=30),
        ),
        Stage.RETENTION: (0, None, None, 1, timedelta(days=22, hours=13, minutes=40)),
        Stage.LOYALTY: (0, None, None, 2, timedelta(days=3, hours=14)),
        Stage.LAPSED: (
            1,
            timedelta(days=15, hours=22),
            timedelta(days=15, hours=22),
            1,
            timedelta(days=19, hours=12),
        ),
    }


def test_stages_at_the_end_of_an_earlier_period(usd_store):
    # given: January, in New York: only Ann (PURCHASE since Jan 10 10:00) and
    # Eve and Hal (PURCHASE since November) have a stage by Feb 1
    january = Period(date(2026, 1, 1), date(2026, 2, 1), "America/New_York")

    # when
    report = compute_time_in_stage(USD, january)

    # then: ages are Ann's 21d 14h, Hal's 81d 14h and Eve's 82d 14h; the
    # median is the 2nd smallest of 3 (Hal's); nobody left a stage in January
    purchase = next(s for s in report.stages if s.stage is Stage.PURCHASE)
    assert purchase.current == 3
    assert purchase.current_median_age == timedelta(days=81, hours=14)
    assert {s.left.count for s in report.stages} == {0}


def test_time_in_stage_of_an_empty_channel(db):
    # when
    report = compute_time_in_stage("web-eur", FEBRUARY)

    # then
    assert {figures(report)[s] for s in Stage} == {(0, None, None, 0, None)}
