"""journey_rebuild_reports: rollups follow a channel's new time zone exactly."""

import copy
from datetime import date

from django.core.management import call_command

from saleor_journey_plugin.core.events import EventType as E
from saleor_journey_plugin.core.processing import drain
from saleor_journey_plugin.reports import (
    Period,
    compute_kpis,
    reference_journey_map,
    reference_kpis,
)
from saleor_journey_plugin.reports.rollups.journey_map import rollup_journey_map
from saleor_journey_plugin.reports.rollups.kpis import rollup_kpis
from saleor_journey_plugin.reports.rollups.models import RollupChannel
from saleor_journey_plugin.reports.rollups.state import usable

from .reports.store import ANN, BOB, KRW, checkout, order, seoul


def a_seoul_store() -> None:
    # 23:30 in Seoul on 31 January is 14:30 UTC: a January day in Seoul and
    # in UTC; 08:30 on 1 February in Seoul is still 31 January in UTC.
    checkout(E.CHECKOUT_STARTED, "k1", seoul(2026, 1, 31, 23, 0), ANN, channel=KRW)
    order(
        E.ORDER_PLACED,
        1,
        seoul(2026, 1, 31, 23, 30),
        ANN,
        "12000",
        checkout="k1",
        currency="KRW",
        channel=KRW,
    )
    order(
        E.ORDER_PLACED,
        2,
        seoul(2026, 2, 1, 8, 30),
        BOB,
        "8000",
        currency="KRW",
        channel=KRW,
    )
    drain()


def test_a_new_time_zone_is_read_from_the_event_log_until_the_rebuild(db, settings):
    # given: a store in Seoul whose rollups count Seoul days
    a_seoul_store()
    assert RollupChannel.objects.get(channel=KRW).time_zone == "Asia/Seoul"
    january_utc = Period(date(2026, 1, 1), date(2026, 2, 1), "UTC")

    # when: the admin moves the channel to UTC
    channels = copy.deepcopy(settings.JOURNEY_CHANNELS)
    channels[KRW]["time_zone"] = "UTC"
    settings.JOURNEY_CHANNELS = channels

    # then: UTC reports come from the event log, exact: both orders in January
    assert not usable(KRW, january_utc)
    before = compute_kpis(KRW, january_utc)
    assert before.orders == 2
    assert before == reference_kpis(KRW, january_utc)

    # when: the rollups are rebuilt
    call_command("journey_rebuild_reports", "--channel", KRW)

    # then: they count UTC days and give the event log's figures
    state = RollupChannel.objects.get(channel=KRW)
    assert (state.time_zone, state.ready) == ("UTC", True)
    assert usable(KRW, january_utc)
    assert rollup_kpis(KRW, january_utc) == reference_kpis(KRW, january_utc)
    assert rollup_kpis(KRW, january_utc).orders == 2
    assert rollup_journey_map(KRW, january_utc) == reference_journey_map(
        KRW, january_utc
    )


def test_stale_rollups_wait_for_the_rebuild(db):
    # given: a channel whose rollups predate its events (as after an upgrade)
    a_seoul_store()
    RollupChannel.objects.filter(channel=KRW).update(ready=False)
    february = Period(date(2026, 2, 1), date(2026, 3, 1), "Asia/Seoul")

    # then: its reports read the event log
    assert not usable(KRW, february)
    assert compute_kpis(KRW, february).orders == 1

    # when
    call_command("journey_rebuild_reports")

    # then
    assert usable(KRW, february)
    assert rollup_kpis(KRW, february) == reference_kpis(KRW, february)
    assert rollup_kpis(KRW, february).checkouts_started == 0
    assert rollup_kpis(KRW, february).buyers == 1
