"""journeyReport: the store reports over the API, for staff with MANAGE_ORDERS."""

import json
from datetime import date
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from graphql.language.parser import parse

from example_store.host import issue_token
from saleor_journey_plugin.core.presets import stage_label
from saleor_journey_plugin.graphql.cost import MAX_COST
from saleor_journey_plugin.graphql.operation import measured_cost
from saleor_journey_plugin.graphql.shape import MAX_DEPTH, MAX_SELECTIONS, measure
from saleor_journey_plugin.reports import (
    Period,
    compute_cohorts,
    compute_funnel,
    compute_journey_map,
    compute_kpis,
    compute_series,
    compute_time_in_stage,
)

from ..reports.store import USD, build_usd_store

PAGE_QUERY = (
    Path(__file__).resolve().parents[2]
    / "graphql"
    / "examples"
    / "journey_report.graphql"
).read_text(encoding="utf-8")
FEBRUARY = {
    "from": "2026-02-01",
    "to": "2026-03-01",
    "previousFrom": "2026-01-04",
    "previousTo": "2026-02-01",
}
NEW_YORK = "America/New_York"
PERIOD = Period(date(2026, 2, 1), date(2026, 3, 1), NEW_YORK)
STAFF = ["MANAGE_ORDERS"]
KPIS = """
query($from: Date!, $to: Date!) {
  journeyReport(from: $from, to: $to) {
    kpis { orders buyers revenue { amount currency } }
  }
}
"""


def graphql(client, query, variables=None, *, permissions=STAFF, token=None):
    if token is None and permissions is not None:
        token = issue_token(permissions=permissions)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post(
        f"/graphql/{USD}/",
        data=json.dumps({"query": query, "variables": variables or {}}),
        content_type="application/json",
        **headers,
    )


@pytest.fixture
def new_york(settings):
    """web-usd counts its days in New York, as the hand-built store does."""
    channel = {**settings.JOURNEY_CHANNELS[USD], "time_zone": NEW_YORK}
    settings.JOURNEY_CHANNELS = {**settings.JOURNEY_CHANNELS, USD: channel}
    return settings


@pytest.fixture
def usd_store(db, new_york):
    build_usd_store()


# --- what the reports say, in the API's shape (labels, seconds, strings) ---


def money(value):
    return value and {"amount": str(value.amount), "currency": value.currency}


def rate(value):
    return None if value is None else str(value)


def seconds(value):
    return None if value is None else value.total_seconds()


def kpis_answer(k):
    return {
        "activeCustomers": k.active_customers,
        "checkoutsStarted": k.checkouts_started,
        "checkoutsConverted": k.checkouts_converted,
        "cartAbandonmentRate": rate(k.cart_abandonment_rate),
        "orders": k.orders,
        "buyers": k.buyers,
        "conversionRate": rate(k.conversion_rate),
        "revenue": money(k.revenue),
        "averageOrderValue": money(k.average_order_value),
        "returningCustomerRate": rate(k.returning_customer_rate),
        "repeatPurchaseRate": rate(k.repeat_purchase_rate),
        "averageCustomerValue": money(k.average_customer_value),
        "reviews": k.reviews,
        "csat": rate(k.csat),
        "lapsedCustomers": k.lapsed_customers,
        "winBacks": k.win_backs,
    }


def funnel_answer(funnel, view, labels):
    return {
        "view": view,
        "entered": funnel.entered,
        "steps": [
            {
                "label": label,
                "stages": [s.value for s in step.stages],
                "customers": step.customers,
                "conversionFromPrevious": rate(step.conversion_from_previous),
                "conversionFromFirst": rate(step.conversion_from_first),
                "dropOff": step.drop_off,
                "medianSecondsFromPrevious": seconds(step.median_time_from_previous),
            }
            for step, label in zip(funnel.steps, labels, strict=True)
        ],
    }


def counts(pairs):
    return [{"key": key, "count": count} for key, count in pairs]


def report_answer(period):
    """Every report of the page for ``period``, as the API must answer it."""
    funnel = compute_funnel(USD, period)
    preset_funnel = compute_funnel(USD, period, preset="standard", language="en")
    cohorts = compute_cohorts(USD, period)
    journey_map = compute_journey_map(USD, period)
    series = compute_series(USD, period, currency="USD")
    return {
        "channel": USD,
        "from": str(period.start),
        "to": str(period.end),
        "timeZone": NEW_YORK,
        "currency": "USD",
        "preset": "standard",
        "language": "EN",
        "kpis": kpis_answer(compute_kpis(USD, period, currency="USD")),
        "stageFunnel": funnel_answer(
            funnel,
            "CANONICAL",
            [stage_label(step.stages[0], "standard", "en") for step in funnel.steps],
        ),
        "presetFunnel": funnel_answer(
            preset_funnel, "PRESET", [step.label for step in preset_funnel.steps]
        ),
        "timeInStage": {
            "stages": [
                {
                    "stage": row.stage.value,
                    "label": stage_label(row.stage, "standard", "en"),
                    "left": row.left.count,
                    "medianSeconds": seconds(row.left.median),
                    "p90Seconds": seconds(row.left.p90),
                    "current": row.current,
                    "currentMedianAgeSeconds": seconds(row.current_median_age),
                }
                for row in compute_time_in_stage(USD, period).stages
            ]
        },
        "cohorts": {
            "months": cohorts.months,
            "cohorts": [
                {
                    "month": str(cohort.month),
                    "customers": cohort.customers,
                    "cells": [
                        {"k": c.k, "customers": c.customers, "share": rate(c.share)}
                        for c in cohort.cells
                    ],
                }
                for cohort in cohorts.cohorts
            ],
        },
        "map": {
            "stages": [
                {
                    "stage": column.stage and column.stage.value,
                    "label": column.stage
                    and stage_label(column.stage, "standard", "en"),
                    "touchpoints": column.touchpoints,
                    "byType": counts(column.by_type.items()),
                    "byTouchChannel": counts(column.by_touch_channel.items()),
                    "topUtmSources": counts(column.top_utm_sources),
                    "topUtmCampaigns": counts(column.top_utm_campaigns),
                    "painPoints": counts(column.pain_points.items()),
                    "emotions": {
                        "positive": column.emotions.positive,
                        "neutral": column.emotions.neutral,
                        "negative": column.emotions.negative,
                    },
                }
                for column in journey_map.stages
            ]
        },
        "series": {
            "interval": "DAY",
            "buckets": [
                {
                    "start": str(b.start),
                    "end": str(b.end),
                    "activeCustomers": b.active_customers,
                    "checkoutsStarted": b.checkouts_started,
                    "orders": b.orders,
                    "buyers": b.buyers,
                    "revenue": money(b.revenue),
                }
                for b in series.buckets
            ],
        },
    }


# --- the figures ---


def test_the_page_query_answers_exactly_what_the_reports_compute(usd_store, client):
    # when
    response = graphql(client, PAGE_QUERY, FEBRUARY)

    # then
    assert response.status_code == 200
    previous = Period(date(2026, 1, 4), date(2026, 2, 1), NEW_YORK)
    assert response.json() == {
        "data": {
            "journeyReport": report_answer(PERIOD),
            "previous": {
                "from": "2026-01-04",
                "to": "2026-02-01",
                "kpis": kpis_answer(compute_kpis(USD, previous, currency="USD")),
            },
        }
    }


def test_kpis_of_february_are_the_hand_computed_figures(usd_store, client):
    # when
    response = graphql(client, PAGE_QUERY, FEBRUARY)

    # then: see tests/reports/test_kpis.py for how each figure comes about
    data = response.json()["data"]
    assert data["journeyReport"]["kpis"] == {
        "activeCustomers": 6,
        "checkoutsStarted": 4,
        "checkoutsConverted": 3,
        "cartAbandonmentRate": "0.25",
        "orders": 5,
        "buyers": 5,
        "conversionRate": "0.8333333333333333333333333333",
        "revenue": {"amount": "40.00", "currency": "USD"},
        "averageOrderValue": {"amount": "30.00", "currency": "USD"},
        "returningCustomerRate": "0.4",
        "repeatPurchaseRate": "0.3333333333333333333333333333",
        "averageCustomerValue": {"amount": "21.67", "currency": "USD"},
        "reviews": 3,
        "csat": "0.6666666666666666666666666667",
        "lapsedCustomers": 2,
        "winBacks": 1,
    }
    # January: only Ann's #1 (30.00), refunded in February
    assert data["previous"]["kpis"]["orders"] == 1
    assert data["previous"]["kpis"]["revenue"] == {"amount": "30.00", "currency": "USD"}


def test_funnel_views_label_in_the_requested_language(usd_store, client, settings):
    # given: a channel with the five-stage preset
    channel = {**settings.JOURNEY_CHANNELS[USD], "preset": "five_stage"}
    settings.JOURNEY_CHANNELS = {**settings.JOURNEY_CHANNELS, USD: channel}
    query = """
    query($from: Date!, $to: Date!) { journeyReport(from: $from, to: $to) {
      preset
      canonical: funnel(language: KO) { view steps { label stages customers } }
      labels: funnel(view: PRESET) { view entered steps { label stages customers } }
    } }
    """

    # when
    response = graphql(client, query, FEBRUARY)

    # then: CANONICAL has a step per stage with the standard preset's labels;
    # PRESET has five_stage's labels, Interest covering two stages
    assert response.json() == {
        "data": {
            "journeyReport": {
                "preset": "five_stage",
                "canonical": {
                    "view": "CANONICAL",
                    "steps": [
                        {"label": "인지", "stages": ["AWARENESS"], "customers": 4},
                        {"label": "관심", "stages": ["INTEREST"], "customers": 4},
                        {"label": "고려", "stages": ["CONSIDERATION"], "customers": 3},
                        {"label": "구매", "stages": ["PURCHASE"], "customers": 3},
                        {"label": "유지", "stages": ["RETENTION"], "customers": 1},
                        {"label": "충성", "stages": ["LOYALTY"], "customers": 0},
                    ],
                },
                "labels": {
                    "view": "PRESET",
                    "entered": 4,
                    "steps": [
                        {"label": "Awareness", "stages": ["AWARENESS"], "customers": 4},
                        {
                            "label": "Interest",
                            "stages": ["INTEREST", "CONSIDERATION"],
                            "customers": 4,
                        },
                        {"label": "Purchase", "stages": ["PURCHASE"], "customers": 3},
                        {
                            "label": "Experience",
                            "stages": ["RETENTION"],
                            "customers": 1,
                        },
                        {"label": "Loyalty", "stages": ["LOYALTY"], "customers": 0},
                    ],
                },
            }
        }
    }


def test_series_by_week_map_top_and_cohort_months_follow_their_arguments(
    usd_store, client
):
    # given
    query = """
    query($from: Date!, $to: Date!) { journeyReport(from: $from, to: $to) {
      series(interval: WEEK) {
        interval buckets { start end orders revenue { amount } }
      }
      map(top: 1, language: KO) { stages { stage label topUtmSources { key count } } }
      cohorts(months: 2) { months cohorts { month customers cells { k customers } } }
    } }
    """

    # when
    report = graphql(client, query, FEBRUARY).json()["data"]["journeyReport"]

    # then: weeks from Monday, the first cut to Sunday Feb 1
    assert report["series"] == {
        "interval": "WEEK",
        "buckets": [
            {"start": str(b.start), "end": str(b.end), "orders": b.orders}
            | {"revenue": {"amount": str(b.revenue.amount)}}
            for b in compute_series(
                USD, PERIOD, interval="week", currency="USD"
            ).buckets
        ],
    }
    assert report["series"]["buckets"][0] == {
        "start": "2026-02-01",
        "end": "2026-02-02",
        "orders": 0,
        "revenue": {"amount": "0.00"},
    }
    assert [
        (s["stage"], s["label"], s["topUtmSources"]) for s in report["map"]["stages"]
    ] == [
        (
            c.stage and c.stage.value,
            c.stage and stage_label(c.stage, "standard", "ko"),
            counts(c.top_utm_sources),
        )
        for c in compute_journey_map(USD, PERIOD, top=1).stages
    ]
    assert report["cohorts"] == {
        "months": 2,
        "cohorts": [
            {
                "month": "2026-02-01",
                "customers": 3,
                "cells": [{"k": 0, "customers": 3}, {"k": 1, "customers": None}],
            }
        ],
    }


def test_a_channel_without_currency_or_orders_has_no_money(db, client, settings):
    # given: no currency configured and no order recorded
    channel = {k: v for k, v in settings.JOURNEY_CHANNELS[USD].items()}
    channel.pop("currency")
    settings.JOURNEY_CHANNELS = {**settings.JOURNEY_CHANNELS, USD: channel}
    query = """
    query($from: Date!, $to: Date!) { journeyReport(from: $from, to: $to) {
      currency kpis { orders revenue { amount } }
      series(interval: MONTH) { buckets { start revenue { amount } } }
    } }
    """

    # when
    response = graphql(client, query, FEBRUARY)

    # then
    assert response.json() == {
        "data": {
            "journeyReport": {
                "currency": None,
                "kpis": {"orders": 0, "revenue": None},
                "series": {"buckets": [{"start": "2026-02-01", "revenue": None}]},
            }
        }
    }


def test_the_channel_currency_gives_a_zero_revenue_before_any_order(db, client):
    # when
    response = graphql(client, KPIS, FEBRUARY)

    # then
    assert response.json() == {
        "data": {
            "journeyReport": {
                "kpis": {
                    "orders": 0,
                    "buyers": 0,
                    "revenue": {"amount": "0.00", "currency": "USD"},
                }
            }
        }
    }


# --- laziness and SQL queries ---


def test_only_the_selected_reports_are_computed(usd_store, client):
    # given: what the KPI report alone takes
    with CaptureQueriesContext(connection) as by_the_report:
        compute_kpis(USD, PERIOD, currency="USD")

    # when: the period alone, then the KPIs twice under two aliases
    with CaptureQueriesContext(connection) as period_only:
        plain = graphql(
            client,
            "query($from: Date!, $to: Date!) { journeyReport(from: $from, to: $to) "
            "{ from to timeZone preset language } }",
            FEBRUARY,
        )
    with CaptureQueriesContext(connection) as kpis_only:
        twice = graphql(
            client,
            "query($from: Date!, $to: Date!) { journeyReport(from: $from, to: $to) "
            "{ a: kpis { orders } b: kpis { buyers } } }",
            FEBRUARY,
        )

    # then: no report for the period alone; the KPIs computed once, with no
    # query of the API's own
    assert plain.json() == {
        "data": {
            "journeyReport": {
                "from": "2026-02-01",
                "to": "2026-03-01",
                "timeZone": NEW_YORK,
                "preset": "standard",
                "language": "EN",
            }
        }
    }
    assert len(period_only.captured_queries) == 0
    assert twice.json() == {
        "data": {"journeyReport": {"a": {"orders": 5}, "b": {"buyers": 5}}}
    }
    assert len(kpis_only.captured_queries) == len(by_the_report.captured_queries)
    assert len(kpis_only.captured_queries) == 10  # from the rollups


# --- arguments ---


@pytest.mark.parametrize(
    ("query", "variables", "message", "field"),
    [
        (
            KPIS,
            {"from": "2026-03-01", "to": "2026-03-01"},
            "'to' (2026-03-01) must be a later day than 'from' (2026-03-01): a "
            "report covers the days from 'from' up to, not including, 'to'.",
            "to",
        ),
        (
            KPIS,
            {"from": "2026-03-02", "to": "2026-03-01"},
            "'to' (2026-03-01) must be a later day than 'from' (2026-03-02): a "
            "report covers the days from 'from' up to, not including, 'to'.",
            "to",
        ),
        (
            KPIS,
            {"from": "2023-01-01", "to": "2026-01-02"},
            "'to' is 1097 days after 'from'; a report covers at most 1096 days "
            "(3 years).",
            "to",
        ),
        (
            "query($from: Date!, $to: Date!) { journeyReport(from: $from, to: $to) "
            "{ kpis { orders } cohorts(months: 0) { months } } }",
            FEBRUARY,
            "'months' must be from 1 to 24, got 0.",
            "months",
        ),
        (
            "query($from: Date!, $to: Date!, $m: Int) { journeyReport(from: $from, "
            "to: $to) { kpis { orders } ...C } } "
            "fragment C on JourneyReport { cohorts(months: $m) { months } }",
            {**FEBRUARY, "m": 25},
            "'months' must be from 1 to 24, got 25.",
            "months",
        ),
        (
            "query($from: Date!, $to: Date!) { journeyReport(from: $from, to: $to) "
            "{ kpis { orders } map(top: 0) { stages { touchpoints } } } }",
            FEBRUARY,
            "'top' must be from 1 to 100, got 0.",
            "top",
        ),
        (
            "query($from: Date!, $to: Date!) { journeyReport(from: $from, to: $to) "
            "{ kpis { orders } ... on JourneyReport { map(top: 101) { "
            "stages { touchpoints } } } } }",
            FEBRUARY,
            "'top' must be from 1 to 100, got 101.",
            "top",
        ),
    ],
)
def test_a_bad_argument_is_invalid_and_nothing_runs(
    usd_store, client, query, variables, message, field
):
    # when
    with CaptureQueriesContext(connection) as queries:
        response = graphql(client, query, variables)

    # then
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {"journeyReport": None}
    assert [(e["message"], e["path"], e["extensions"]) for e in body["errors"]] == [
        (message, ["journeyReport"], {"exception": {"code": "INVALID", "field": field}})
    ]
    assert len(queries.captured_queries) == 0


@pytest.mark.parametrize(
    ("query", "variables", "message", "field"),
    [
        (
            '{ journeyReport(from: "2026-02-01", to: "2026-03-01") '
            "{ series(interval: HOURLY) { interval } } }",
            {},
            'Argument "interval" has invalid value HOURLY.\n'
            'Expected type "JourneyInterval", found HOURLY.',
            "interval",
        ),
        (
            'query($i: JourneyInterval) { journeyReport(from: "2026-02-01", '
            'to: "2026-03-01") { series(interval: $i) { interval } } }',
            {"i": "HOURLY"},
            'Variable "$i" got invalid value "HOURLY".\n'
            'Expected type "JourneyInterval", found "HOURLY".',
            "interval",
        ),
        (
            '{ journeyReport(from: "2026-02-01", to: "2026-03-01") '
            "{ funnel(view: STAGES) { view } } }",
            {},
            'Argument "view" has invalid value STAGES.\n'
            'Expected type "JourneyFunnelView", found STAGES.',
            "view",
        ),
        (
            KPIS,
            {"from": "2026-02-30", "to": "2026-03-01"},
            'Variable "$from" got invalid value "2026-02-30".\n'
            'Expected type "Date", found "2026-02-30".',
            "from",
        ),
    ],
)
def test_an_unknown_value_is_refused_as_invalid_before_it_runs(
    db, client, query, variables, message, field
):
    # when
    with CaptureQueriesContext(connection) as queries:
        response = graphql(client, query, variables)

    # then
    assert response.status_code == 400
    body = response.json()
    assert body["data"] is None
    assert [(e["message"], e["extensions"]) for e in body["errors"]] == [
        (message, {"exception": {"code": "INVALID", "field": field}})
    ]
    assert len(queries.captured_queries) == 0


def test_three_years_is_the_longest_period(db, client):
    # when: 2023-01-01 to 2026-01-01 is 1096 days
    response = graphql(client, KPIS, {"from": "2023-01-01", "to": "2026-01-01"})

    # then
    assert response.json()["data"]["journeyReport"]["kpis"]["orders"] == 0


# --- permissions ---


@pytest.mark.parametrize(
    "token",
    [
        pytest.param({"permissions": None}, id="anonymous"),
        pytest.param(
            {"token": issue_token(user_id="1", email="ann@example.com")},
            id="customer",
        ),
        pytest.param({"permissions": ["MANAGE_USERS"]}, id="staff-manage-users"),
    ],
)
def test_only_manage_orders_sees_the_report(usd_store, client, token):
    # when
    with CaptureQueriesContext(connection) as queries:
        response = graphql(client, KPIS, FEBRUARY, **token)

    # then
    assert response.status_code == 200
    assert response.json() == {
        "data": {"journeyReport": None},
        "errors": [
            {
                "message": "You need one of the following permissions: MANAGE_ORDERS",
                "locations": [{"line": 3, "column": 3}],
                "path": ["journeyReport"],
                "extensions": {"exception": {"code": "PermissionDenied"}},
            }
        ],
    }
    assert len(queries.captured_queries) == 0


# --- limits and cost ---


def _cost(query, variables):
    return measured_cost(parse(query), variables, None)


def test_the_page_query_is_within_every_limit(db):
    # when
    shape = measure(parse(PAGE_QUERY))
    cost = _cost(PAGE_QUERY, FEBRUARY)

    # then: eight reports at 500 each and their answers
    assert (shape.depth, shape.selections) == (5, 133)
    assert shape.depth <= MAX_DEPTH and shape.selections <= MAX_SELECTIONS
    assert cost == 5825


FULL_REPORT = """
  ALIAS: journeyReport(from: "2026-02-01", to: "2026-03-01") {
    kpis { ...JourneyKpisFields }
    funnel { ...JourneyFunnelFields }
    timeInStage {
      stages { stage label left medianSeconds p90Seconds current
               currentMedianAgeSeconds }
    }
    cohorts { months cohorts { month customers cells { k customers share } } }
    map {
      stages {
        stage label touchpoints byType { key count } byTouchChannel { key count }
        topUtmSources { key count } topUtmCampaigns { key count }
        painPoints { key count } emotions { positive neutral negative }
      }
    }
    series {
      interval
      buckets { start end activeCustomers checkoutsStarted orders buyers
                revenue { amount currency } }
    }
  }
"""


def test_ten_full_reports_cost_less_than_the_limit_and_a_hundred_more(db):
    # given: ten aliases of a report with all six reports (the page's fragments),
    # and one report asking for the KPIs under 100 aliases
    fragments = PAGE_QUERY[PAGE_QUERY.index("fragment JourneyKpisFields") :]
    reports = "".join(FULL_REPORT.replace("ALIAS", f"r{n}") for n in range(10))
    ten = "query {" + reports + "}\n" + fragments
    kpis = " ".join(f"k{n}: kpis {{ orders }}" for n in range(100))
    hundred = '{ journeyReport(from: "2026-02-01", to: "2026-03-01") { ' + kpis + " } }"

    # when
    ten_cost = _cost(ten, {})
    hundred_cost = _cost(hundred, {})

    # then: each full report is six reports at 500 and 1,717 for its answer
    assert ten_cost == 10 * (1 + 6 * 500 + 1717)
    assert ten_cost <= MAX_COST
    assert hundred_cost == 1 + 100 * (1 + 500 + 1)
    assert hundred_cost > MAX_COST


def test_a_hundred_reports_in_one_query_are_refused_before_they_run(db, client):
    # given
    kpis = " ".join(f"k{n}: kpis {{ orders }}" for n in range(100))
    query = '{ journeyReport(from: "2026-02-01", to: "2026-03-01") { ' + kpis + " } }"

    # when
    with CaptureQueriesContext(connection) as queries:
        response = graphql(client, query)

    # then
    assert response.status_code == 400
    assert response.json()["extensions"] == {
        "cost": {"requestedQueryCost": 50201, "maximumAvailable": MAX_COST}
    }
    assert len(queries.captured_queries) == 0
