"""The rollup reports equal the reference reports, exactly, on random stores.

Events go through the real recording API and the real drain, with drains in
between (so merges, rebuilt journeys and erasures rewrite events the rollups
had already folded), events recorded after newer ones were applied, the
hourly lapse check and the backfill's rebuild of journeys applied out of time
order. Every report the rollups answer is then compared with the
reference one, which reads the event log, for periods cut through the data.
"""

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from saleor_journey_plugin.core.backfill import rebuild_out_of_order
from saleor_journey_plugin.core.events import (
    EventType,
    JourneyEventData,
    Source,
    TouchChannel,
)
from saleor_journey_plugin.core.lapse import record_lapses
from saleor_journey_plugin.core.presets import PRESETS
from saleor_journey_plugin.core.processing import drain
from saleor_journey_plugin.core.recording import record_event
from saleor_journey_plugin.models import (
    Customer,
    Journey,
    JourneyEvent,
    ProcessingRequest,
    StageTransition,
)
from saleor_journey_plugin.reports import (
    Period,
    compute_funnel,
    compute_journey_map,
    compute_kpis,
    compute_time_in_stage,
    reference_funnel,
    reference_journey_map,
    reference_kpis,
    reference_time_in_stage,
)
from saleor_journey_plugin.reports.period import local_midnight
from saleor_journey_plugin.reports.rollups.funnel import rollup_funnel
from saleor_journey_plugin.reports.rollups.journey_map import rollup_journey_map
from saleor_journey_plugin.reports.rollups.kpis import rollup_kpis
from saleor_journey_plugin.reports.rollups.models import ROLLUP_MODELS, RollupChannel
from saleor_journey_plugin.reports.rollups.state import rebuild, usable
from saleor_journey_plugin.reports.rollups.tallies import TALLIES
from saleor_journey_plugin.reports.rollups.time_in_stage import rollup_time_in_stage

from .store import (
    ANN,
    BOB,
    CAT,
    KRW,
    NEW_YORK,
    SEOUL,
    USD,
    build_usd_store,
    ny,
    order,
    record,
)

E = EventType
ZONES = {USD: "America/New_York", KRW: "Asia/Seoul"}
CURRENCIES = {USD: "USD", KRW: "KRW"}
# The data: 2026-02-26 to 2026-03-22 (UTC); New York moves to EDT on March 8.
START = datetime(2026, 2, 26, tzinfo=UTC)
QUARTER_HOURS = 24 * 4 * 24

PEOPLE: dict[str, dict[str, str]] = {
    "ann": {"user_id": "1", "email": "ann@example.com"},
    "bob": {"user_id": "2", "email": "bob@example.com"},
    "cat": {"email": "cat@example.com"},
    "dan": {"email": "dan@example.com"},
    # Eve shops as a guest and has an account without her address; signing
    # in with it merges the guest into the account.
    "eve": {"email": "eve@example.com"},
    "eve_account": {"user_id": "5"},
    "eve_signs_in": {"user_id": "5", "email": "eve@example.com"},
}
SHOPPERS = ["ann", "bob", "cat", "dan", "eve", "eve_account"]
ACCOUNTS = ["ann", "bob", "eve_account"]
SOURCES = ["", "", "google", "newsletter", "instagram"]
CAMPAIGNS = ["", "", "spring", "sale"]
TOKENS = [None, "c1", "c2", "c3"]
TOTALS = ["10.00", "25.50", "20.005", "0.5", "1000", "3.333"]
# What a refund says its order has had refunded so far (None: a full refund
# of an older event; more than some totals: an over-refund; not a number).
REFUNDED = [None, "5.00", "10.00", "12.345", "20.005", "2000", "-1", "ten"]
MILESTONES = [
    E.ORDER_PLACED,
    E.ORDER_PAID,
    E.ORDER_FULFILLED,
    E.ORDER_CANCELLED,
    E.ORDER_REFUNDED,
    E.ORDER_REFUNDED,
]

JOURNEY_TABLES = [
    StageTransition,
    JourneyEvent,
    Journey,
    Customer,
    ProcessingRequest,
    *ROLLUP_MODELS,
]


# --- a store as a list of steps ---


@dataclass
class Happened:
    """An event recorded now; the drain applies it later."""

    type: EventType
    who: str
    at: datetime
    channel: str = USD
    touch: TouchChannel = TouchChannel.WEB
    utm_source: str = ""
    utm_campaign: str = ""
    payload: dict[str, Any] = field(default_factory=dict)
    # Order milestones keep the adapter's key: one event per order and milestone.
    key: str = ""


@dataclass
class Drain:
    """The Celery task applying every waiting event."""


@dataclass
class LapseCheck:
    """The hourly beat at ``at``, on the journeys as applied so far."""

    at: datetime


@dataclass
class PutInTimeOrder:
    """The backfill's check: journeys that had events applied out of time
    order are rebuilt from their events in time order."""


Step = Happened | Drain | LapseCheck | PutInTimeOrder


def play(steps: list[Step]) -> None:
    for index, step in enumerate(steps):
        if isinstance(step, Drain):
            drain()
        elif isinstance(step, LapseCheck):
            drain()
            record_lapses(now=step.at)
        elif isinstance(step, PutInTimeOrder):
            drain()
            rebuild_out_of_order(list(Journey.objects.values_list("pk", flat=True)))
        else:
            who = PEOPLE[step.who]
            record_event(
                JourneyEventData(
                    type=step.type,
                    idempotency_key=step.key or f"step:{index}",
                    occurred_at=step.at,
                    channel=step.channel,
                    user_id=who.get("user_id", ""),
                    email=who.get("email", ""),
                    touch_channel=step.touch,
                    source=Source(
                        utm_source=step.utm_source, utm_campaign=step.utm_campaign
                    ),
                    payload=step.payload,
                )
            )
    drain()


def empty_journey_tables() -> None:
    with connection.cursor() as cursor:
        for model in JOURNEY_TABLES:
            cursor.execute(f"DELETE FROM {model._meta.db_table}")


# --- strategies ---


def edges() -> list[datetime]:
    """Local midnights of the periods' days, and the second before each."""
    found = []
    for zone in (NEW_YORK, SEOUL):
        for day in range(25):
            midnight = local_midnight(date(2026, 2, 26) + timedelta(days=day), zone)
            found += [midnight, midnight - timedelta(seconds=1)]
    return found


def instants() -> st.SearchStrategy[datetime]:
    return st.one_of(
        st.integers(0, QUARTER_HOURS).map(lambda q: START + timedelta(minutes=15 * q)),
        st.sampled_from(edges()),
    )


channels = st.sampled_from([USD, KRW])
shoppers = st.sampled_from(SHOPPERS)


def touchpoints() -> st.SearchStrategy[Happened]:
    return st.builds(
        Happened,
        type=st.sampled_from([E.VISIT, E.PRODUCT_VIEWED]),
        who=shoppers,
        at=instants(),
        channel=channels,
        touch=st.sampled_from(TouchChannel),
        utm_source=st.sampled_from(SOURCES),
        utm_campaign=st.sampled_from(CAMPAIGNS),
    )


def checkouts() -> st.SearchStrategy[Happened]:
    return st.builds(
        Happened,
        type=st.sampled_from(
            [E.CHECKOUT_STARTED, E.CHECKOUT_STARTED, E.CHECKOUT_ABANDONED]
        ),
        who=shoppers,
        at=instants(),
        channel=channels,
        utm_source=st.sampled_from(SOURCES),
        payload=st.sampled_from(TOKENS).map(
            lambda token: {"checkout": token} if token else {}
        ),
    )


def order_event(
    milestone: EventType,
    who: str,
    at: datetime,
    channel: str,
    number: int,
    total: str,
    currency: str | None,
    checkout: str | None = None,
    touch: TouchChannel = TouchChannel.WEB,
    refunded: str | None = None,
    partial: bool = False,
) -> Happened:
    """An order milestone with the adapter's payload and key (a partial
    refund's key names its amount)."""
    payload: dict[str, Any] = {"order_id": str(number), "total": total}
    if currency is not None:
        payload["currency"] = currency
    if milestone is E.ORDER_PLACED and checkout:
        payload["checkout"] = checkout
    key = f"order:{channel}:{number}:{milestone.value}"
    if milestone is E.ORDER_REFUNDED and refunded is not None:
        payload["refunded"] = refunded
        if partial:
            payload["partial"] = True
            key = f"{key}:{refunded}"
    return Happened(
        type=milestone,
        who=who,
        at=at,
        channel=channel,
        touch=touch,
        payload=payload,
        key=key,
    )


@st.composite
def order_events(draw: st.DrawFn) -> Happened:
    channel = draw(channels)
    code = CURRENCIES[channel]
    return order_event(
        draw(st.sampled_from(MILESTONES)),
        draw(shoppers),
        draw(instants()),
        channel,
        number=draw(st.integers(1, 6)),
        total=draw(st.sampled_from(TOTALS)),
        currency=draw(st.sampled_from([code] * 4 + [code.lower(), "EUR", None])),
        checkout=draw(st.sampled_from(TOKENS)),
        touch=draw(st.sampled_from(TouchChannel)),
        refunded=draw(st.sampled_from(REFUNDED)),
        partial=draw(st.booleans()),
    )


def reviews() -> st.SearchStrategy[Happened]:
    return st.builds(
        Happened,
        # Edits rate again the review with the same id, whenever they come.
        type=st.sampled_from([E.REVIEW_SUBMITTED, E.REVIEW_SUBMITTED, E.REVIEW_EDITED]),
        who=shoppers,
        at=instants(),
        channel=channels,
        payload=st.builds(
            lambda rating, number, review: {
                "rating": rating,
                "order_id": str(number),
                **({"review_id": review} if review else {}),
            },
            st.integers(1, 5),
            st.integers(1, 6),
            st.sampled_from([None, "r1", "r2"]),
        ),
    )


def accounts_created() -> st.SearchStrategy[Happened]:
    return st.builds(
        Happened,
        type=st.just(E.ACCOUNT_CREATED),
        who=st.sampled_from(ACCOUNTS),
        at=instants(),
        channel=st.just(""),
    )


def steps() -> st.SearchStrategy[Step]:
    return st.one_of(
        touchpoints(),
        checkouts(),
        order_events(),
        order_events(),
        reviews(),
        accounts_created(),
        st.just(Drain()),
        st.builds(LapseCheck, at=instants()),
        st.just(PutInTimeOrder()),
    )


@st.composite
def stores(draw: st.DrawFn) -> list[Step]:
    """Random steps, and in them at random places: a guest merge, an erasure,
    a lapse and a win-back, an event that fails, and a late event."""
    story: list[Step] = draw(st.lists(steps(), min_size=5, max_size=30))
    # Eve's account and her guest self are both applied when she signs in.
    merge = draw(st.integers(0, len(story)))
    story[merge:merge] = [
        draw(shopping("eve_account")),
        draw(shopping("eve")),
        Drain(),
    ]
    sign_in = draw(st.integers(merge + 3, len(story)))
    story[sign_in:sign_in] = [draw(shopping("eve_signs_in")), Drain()]
    erased = draw(st.sampled_from(["ann", "bob", "cat", "dan", "eve_signs_in"]))
    first = sign_in + 2 if erased == "eve_signs_in" else 0
    erasure = draw(st.integers(first, len(story)))
    story.insert(
        erasure,
        Happened(type=E.CUSTOMER_DELETED, who=erased, at=draw(instants()), channel=""),
    )
    # A customer who bought early lapses at a check late in the data, early
    # in the story, and a new order wins them back.
    who, channel = draw(shoppers), draw(channels)
    code = CURRENCIES[channel]
    bought = START + timedelta(hours=draw(st.integers(0, 48)))
    lapse = draw(st.integers(0, len(story) // 2))
    story[lapse:lapse] = [
        order_event(E.ORDER_PLACED, who, bought, channel, 7, "5.00", code),
        order_event(E.ORDER_PAID, who, bought, channel, 7, "5.00", code),
        LapseCheck(at=START + timedelta(days=draw(st.integers(8, 24)))),
    ]
    won_back = draw(st.integers(lapse + 3, len(story)))
    story.insert(
        won_back,
        order_event(E.ORDER_PLACED, who, draw(instants()), channel, 8, "9.99", code),
    )
    # A review the stage rules cannot read fails its batch: the drain applies
    # the batch's other events one by one, and keeps this one for later.
    broken = draw(st.integers(0, len(story)))
    story.insert(
        broken,
        Happened(
            type=E.REVIEW_SUBMITTED,
            who=draw(shoppers),
            at=draw(instants()),
            channel=draw(channels),
            payload={"rating": "five"},
        ),
    )
    # An event older than all the data, recorded once the rest was applied.
    late = draw(st.one_of(touchpoints(), order_events(), reviews()))
    before_all = START - timedelta(hours=draw(st.integers(1, 48)))
    return [*story, Drain(), replace(late, at=before_all)]


def shopping(who: str) -> st.SearchStrategy[Happened]:
    return st.builds(
        Happened,
        type=st.sampled_from([E.VISIT, E.CHECKOUT_STARTED, E.ORDER_PAID]),
        who=st.just(who),
        at=instants(),
        channel=channels,
    )


# --- the comparison ---


# The periods every store is checked for (one of them each time), as days.
PERIODS = {
    "everything, and more": (date(2025, 12, 1), date(2026, 7, 1)),
    "the middle, across New York's change to EDT": (
        date(2026, 3, 5),
        date(2026, 3, 12),
    ),
    "one day (23 hours in New York)": (date(2026, 3, 8), date(2026, 3, 9)),
    "ending before later events": (date(2026, 2, 1), date(2026, 3, 4)),
}


def periods(channel: str, fixed: str, drawn: tuple[int, int]) -> list[Period]:
    """A period of ``PERIODS``, and a drawn one (1 to 10 days in the data)."""
    zone = ZONES[channel]
    first, days = drawn
    start = date(2026, 2, 26) + timedelta(days=first)
    return [
        Period(*PERIODS[fixed], zone),
        Period(start, start + timedelta(days=days), zone),
    ]


def assert_rollups_equal_the_reference(
    channel: str, period: Period, preset: str
) -> None:
    assert usable(channel, period)
    where = (channel, period)
    for currency in (None, CURRENCIES[channel]):
        assert rollup_kpis(channel, period, currency=currency) == reference_kpis(
            channel, period, currency=currency
        ), ("kpis", currency, *where)
    assert rollup_funnel(channel, period) == reference_funnel(channel, period), (
        "funnel",
        *where,
    )
    assert rollup_funnel(
        channel, period, preset=preset, language="ko"
    ) == reference_funnel(channel, period, preset=preset, language="ko"), (
        "funnel",
        preset,
        *where,
    )
    assert rollup_time_in_stage(channel, period) == reference_time_in_stage(
        channel, period
    ), ("time_in_stage", *where)
    assert rollup_journey_map(channel, period, top=1) == reference_journey_map(
        channel, period, top=1
    ), ("journey_map", 1, *where)
    assert rollup_journey_map(channel, period) == reference_journey_map(
        channel, period
    ), ("journey_map", *where)


@pytest.fixture
def zoned_channels(db, settings):
    """web-usd counts its days in New York (web-krw in Seoul), and customers
    lapse after a few days, so the random stores see lapses."""
    configured = settings.JOURNEY_CHANNELS
    settings.JOURNEY_CHANNELS = {
        **configured,
        USD: {**configured[USD], "time_zone": ZONES[USD], "lapse_after_days": 2},
        KRW: {**configured[KRW], "lapse_after_days": 1},
    }
    return settings


@hypothesis_settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    store=stores(),
    fixed=st.sampled_from(sorted(PERIODS)),
    drawn=st.tuples(st.integers(-2, 24), st.integers(1, 10)),
    preset=st.sampled_from(sorted(PRESETS)),
)
def test_every_rollup_report_equals_its_reference_on_a_random_store(
    zoned_channels, store, fixed, drawn, preset
):
    # given: an empty journey database, then the random store, drained
    empty_journey_tables()
    play(store)

    # then: the rollups took each channel's zone when they first saw it
    assert dict(RollupChannel.objects.values_list("channel", "time_zone")) == {
        channel: ZONES[channel]
        for channel in JourneyEvent.objects.exclude(channel="")
        .filter(processed_at__isnull=False)
        .values_list("channel", flat=True)
        .distinct()
    }
    # then: the triggers kept the tallies in step with every write
    assert_the_tallies_equal_a_recount()
    # then: every report, in both channels
    for channel in (USD, KRW):
        for period in periods(channel, fixed, drawn):
            assert_rollups_equal_the_reference(channel, period, preset)


def tallied_rows() -> dict[str, set[tuple[Any, ...]]]:
    """The rows of every tally's table with a sum other than zero."""
    found = {}
    with connection.cursor() as cursor:
        for tally in TALLIES:
            nonzero = " OR ".join(f"{name} <> 0" for name in tally.sums)
            cursor.execute(
                f"SELECT {', '.join([*tally.keys, *tally.sums])} "
                f"FROM {tally.target} WHERE {nonzero}"
            )
            found[tally.target] = set(cursor.fetchall())
    return found


def assert_the_tallies_equal_a_recount() -> None:
    kept = tallied_rows()
    for tally in TALLIES:
        tally.recount()
    assert kept == tallied_rows()


# --- rebuilding, and periods in another zone ---


def build_usd_store_with_rewrites() -> None:
    """The hand-built web-usd store, then a guest merge, an erasure and a late
    order, each rewriting or adding to events the rollups already hold."""
    build_usd_store()
    # Cat's guest history goes to a new account that signs in with her address.
    record(E.VISIT, "visit:kim:1", ny(2026, 2, 14, 9, 0), {"user_id": "30"})
    drain()
    record(
        E.PRODUCT_VIEWED,
        "view:kim:1",
        ny(2026, 2, 16, 9, 0),
        {"user_id": "30", **CAT},
        utm_source="google",
    )
    # An order from before the rest, applied after it.
    order(E.ORDER_PLACED, 40, ny(2026, 2, 1, 23, 50), ANN, "12.00", checkout="c-bob")
    drain()
    record(E.CUSTOMER_DELETED, "user:2:deleted", ny(2026, 2, 27, 8, 0), BOB, channel="")
    drain()


def all_reports(channel: str, period: Period) -> list[Any]:
    return [
        compute_kpis(channel, period),
        compute_kpis(channel, period, currency="USD"),
        compute_funnel(channel, period),
        compute_funnel(channel, period, preset="five_stage", language="ko"),
        compute_time_in_stage(channel, period),
        compute_journey_map(channel, period, top=1),
        compute_journey_map(channel, period),
    ]


def reference_reports(channel: str, period: Period) -> list[Any]:
    return [
        reference_kpis(channel, period),
        reference_kpis(channel, period, currency="USD"),
        reference_funnel(channel, period),
        reference_funnel(channel, period, preset="five_stage", language="ko"),
        reference_time_in_stage(channel, period),
        reference_journey_map(channel, period, top=1),
        reference_journey_map(channel, period),
    ]


FEBRUARY_IN_NEW_YORK = Period(date(2026, 2, 1), date(2026, 3, 1), "America/New_York")
LAST_DAY_IN_NEW_YORK = Period(date(2026, 2, 28), date(2026, 3, 1), "America/New_York")


def test_a_rebuild_gives_the_reports_the_drain_kept(zoned_channels):
    # given: rollups kept by the drain through merges, an erasure, late events
    build_usd_store_with_rewrites()
    periods = [FEBRUARY_IN_NEW_YORK, LAST_DAY_IN_NEW_YORK]
    assert all(usable(USD, period) for period in periods)
    kept = {period: all_reports(USD, period) for period in periods}

    # when
    folded = rebuild(USD, "America/New_York")

    # then: the same reports, still from the rollups, and still the reference's
    assert (
        folded
        == JourneyEvent.objects.filter(channel=USD, processed_at__isnull=False).count()
    )
    for period in periods:
        assert usable(USD, period)
        assert all_reports(USD, period) == kept[period]
        assert kept[period] == reference_reports(USD, period)


def test_a_rebuild_in_another_zone_answers_periods_in_that_zone(zoned_channels):
    # given
    build_usd_store_with_rewrites()
    in_utc = Period(date(2026, 2, 1), date(2026, 3, 1), "UTC")
    assert not usable(USD, in_utc)

    # when
    rebuild(USD, "UTC")

    # then: UTC periods are the rollups' now, New York ones fall back
    assert usable(USD, in_utc)
    assert not usable(USD, FEBRUARY_IN_NEW_YORK)
    for period in (in_utc, Period(date(2026, 2, 28), date(2026, 3, 1), "UTC")):
        assert all_reports(USD, period) == reference_reports(USD, period)


def test_a_period_in_another_zone_than_the_rollups_falls_back_to_the_reference(
    zoned_channels,
):
    # given: rollups with New York days; a period of Seoul days
    build_usd_store_with_rewrites()
    in_seoul = Period(date(2026, 2, 1), date(2026, 3, 1), "Asia/Seoul")

    # when
    kpis = compute_kpis(USD, in_seoul)

    # then: the rollups' New York days could not answer it (Fay's order at
    # 23:30 on Feb 28 in New York is on Mar 1 in Seoul: she was not active in
    # the period, but her New York day is in it)
    assert RollupChannel.objects.get(channel=USD).time_zone == "America/New_York"
    assert not usable(USD, in_seoul)
    assert kpis == reference_kpis(USD, in_seoul)
    assert rollup_kpis(USD, in_seoul) != kpis
    assert all_reports(USD, in_seoul) == reference_reports(USD, in_seoul)
