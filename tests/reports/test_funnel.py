"""The funnel of the customers who entered it in the period, both views."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from saleor_journey_plugin.core.stages import Stage
from saleor_journey_plugin.reports import Period, compute_funnel

from .store import USD

FEBRUARY = Period(date(2026, 2, 1), date(2026, 3, 1), "America/New_York")
THIRD = Decimal(1) / Decimal(3)


def rows(funnel):
    return [
        (
            step.label,
            step.customers,
            step.conversion_from_previous,
            step.conversion_from_first,
            step.drop_off,
            step.median_time_from_previous,
        )
        for step in funnel.steps
    ]


def test_canonical_funnel_of_the_february_cohort(usd_store):
    # given: Bob (from AWARENESS, at his account creation), Cat and Dan (from
    # INTEREST) and Fay (straight to PURCHASE) entered in February; Ann, Eve
    # and Hal entered before, Gus after.
    # Bob: A 08:00 -> I 09:30 -> C next day 10:10 -> P 10:20 -> R 3 days later;
    # Dan: I 14:00 -> P 14:05; Cat stayed in INTEREST; Fay skipped to PURCHASE

    # when
    funnel = compute_funnel(USD, FEBRUARY)

    # then: skipped stages count as reached; the median of Bob's 10 minutes
    # and Dan's 5 into PURCHASE is the 1st of 2 (nearest rank)
    assert funnel.entered == 4
    assert funnel.preset is None
    assert rows(funnel) == [
        ("AWARENESS", 4, Decimal(1), Decimal(1), 0, None),
        ("INTEREST", 4, Decimal(1), Decimal(1), 0, timedelta(hours=1, minutes=30)),
        (
            "CONSIDERATION",
            3,
            Decimal("0.75"),
            Decimal("0.75"),
            1,
            timedelta(hours=24, minutes=40),
        ),
        ("PURCHASE", 3, Decimal(1), Decimal("0.75"), 0, timedelta(minutes=5)),
        ("RETENTION", 1, THIRD, Decimal("0.25"), 2, timedelta(days=3)),
        ("LOYALTY", 0, Decimal(0), Decimal(0), 1, None),
    ]
    assert [step.stages for step in funnel.steps] == [(s,) for s in list(Stage)[:6]]


def test_five_stage_labels_group_interest_and_consideration(usd_store):
    # when
    funnel = compute_funnel(USD, FEBRUARY, preset="five_stage", language="ko")

    # then: "관심" counts who reached INTEREST or CONSIDERATION (4, not 4 + 3),
    # and its time is from the stage before it (Bob's AWARENESS -> INTEREST)
    assert rows(funnel) == [
        ("인지", 4, Decimal(1), Decimal(1), 0, None),
        ("관심", 4, Decimal(1), Decimal(1), 0, timedelta(hours=1, minutes=30)),
        ("구매", 3, Decimal("0.75"), Decimal("0.75"), 1, timedelta(minutes=5)),
        ("경험", 1, THIRD, Decimal("0.25"), 2, timedelta(days=3)),
        ("충성", 0, Decimal(0), Decimal(0), 1, None),
    ]
    assert funnel.steps[1].stages == (Stage.INTEREST, Stage.CONSIDERATION)


def test_marketing_funnel_groups_retention_and_loyalty(usd_store):
    # when
    funnel = compute_funnel(USD, FEBRUARY, preset="marketing_funnel")

    # then
    assert [(s.label, s.customers, s.drop_off) for s in funnel.steps] == [
        ("Awareness", 4, 0),
        ("Interest", 4, 0),
        ("Consideration", 3, 1),
        ("Purchase", 3, 0),
        ("Post-purchase", 1, 2),
    ]


def test_funnel_counts_what_was_reached_by_the_end_of_the_period(usd_store):
    # given: the first week of February only: Bob entered (and reached
    # RETENTION on Feb 6); Cat, Dan and Fay came later
    week = Period(date(2026, 2, 1), date(2026, 2, 6), "America/New_York")

    # when
    funnel = compute_funnel(USD, week)

    # then: Bob's fulfilment on Feb 6 is after the period
    assert funnel.entered == 1
    assert [s.customers for s in funnel.steps] == [1, 1, 1, 1, 0, 0]


def test_funnel_of_an_empty_channel_has_no_rates(db):
    # when
    funnel = compute_funnel("web-eur", FEBRUARY, preset="hubspot")

    # then
    assert funnel.entered == 0
    assert [(s.customers, s.conversion_from_previous) for s in funnel.steps] == [
        (0, None)
    ] * 5
    assert {s.conversion_from_first for s in funnel.steps} == {None}


def test_funnel_names_a_wrong_preset_or_language(db):
    # when / then
    with pytest.raises(ValueError, match="`preset`"):
        compute_funnel(USD, FEBRUARY, preset="aida")
    with pytest.raises(ValueError, match="`language`"):
        compute_funnel(USD, FEBRUARY, language="fr")
