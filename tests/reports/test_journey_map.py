"""The journey map's data: touchpoints per stage."""

from datetime import date

import pytest

from saleor_journey_plugin.core.stages import Stage
from saleor_journey_plugin.reports import Period, compute_journey_map
from saleor_journey_plugin.reports.results import Emotions

from .store import USD

FEBRUARY = Period(date(2026, 2, 1), date(2026, 3, 1), "America/New_York")


def nonzero(counts):
    return {key: count for key, count in counts.items() if count}


def test_touchpoints_per_stage_in_february(usd_store):
    # given: each event counts in the stage the customer was in once it was
    # applied (see store.py for the story); Bob's account creation is
    # customer-wide and in no channel's map

    # when
    journey_map = compute_journey_map(USD, FEBRUARY)

    # then
    columns = {column.stage: column for column in journey_map.stages}
    assert list(columns) == [*Stage, None]
    assert {stage: c.touchpoints for stage, c in columns.items()} == {
        Stage.AWARENESS: 1,
        Stage.INTEREST: 5,
        Stage.CONSIDERATION: 1,
        Stage.PURCHASE: 10,
        Stage.RETENTION: 3,
        Stage.LOYALTY: 6,
        Stage.LAPSED: 2,
        None: 0,
    }
    interest = columns[Stage.INTEREST]
    assert nonzero(interest.by_type) == {
        "PRODUCT_VIEWED": 1,
        "CHECKOUT_STARTED": 3,
        "CHECKOUT_ABANDONED": 1,
    }
    assert nonzero(interest.by_touch_channel) == {"WEB": 4, "API": 1}
    assert interest.top_utm_sources == (("google", 2), ("instagram", 1))
    assert nonzero(interest.pain_points) == {"CHECKOUT_ABANDONED": 1}
    assert interest.emotions == Emotions(positive=0, neutral=0, negative=1)

    awareness = columns[Stage.AWARENESS]
    assert awareness.top_utm_sources == (("google", 1),)
    assert awareness.top_utm_campaigns == (("spring", 1),)

    purchase = columns[Stage.PURCHASE]
    assert nonzero(purchase.by_type) == {
        "VISIT": 1,
        "CHECKOUT_STARTED": 1,
        "ORDER_PLACED": 4,
        "ORDER_PAID": 2,
        "ORDER_CANCELLED": 1,
        "ORDER_REFUNDED": 1,
    }
    assert nonzero(purchase.by_touch_channel) == {"WEB": 9, "OFFLINE": 1}
    assert purchase.top_utm_campaigns == (("feb-promo", 1),)
    assert nonzero(purchase.pain_points) == {"ORDER_CANCELLED": 1, "ORDER_REFUNDED": 1}
    assert purchase.emotions == Emotions(positive=0, neutral=0, negative=2)

    retention = columns[Stage.RETENTION]
    assert nonzero(retention.pain_points) == {
        "ORDER_REFUNDED": 1,
        "REVIEW_SUBMITTED": 1,
    }
    assert retention.emotions == Emotions(positive=0, neutral=0, negative=2)

    loyalty = columns[Stage.LOYALTY]
    assert nonzero(loyalty.by_type) == {
        "ORDER_PLACED": 1,
        "ORDER_PAID": 2,
        "REVIEW_SUBMITTED": 2,
        "ORDER_REFUNDED": 1,
    }
    assert loyalty.emotions == Emotions(positive=2, neutral=0, negative=1)

    lapsed = columns[Stage.LAPSED]
    assert nonzero(lapsed.by_type) == {"LAPSE_DETECTED": 2}
    assert nonzero(lapsed.by_touch_channel) == {"API": 2}
    assert lapsed.emotions == Emotions(positive=0, neutral=0, negative=0)


def test_top_sources_are_cut_to_the_number_asked(usd_store):
    # when
    journey_map = compute_journey_map(USD, FEBRUARY, top=1)

    # then
    interest = next(c for c in journey_map.stages if c.stage is Stage.INTEREST)
    assert interest.top_utm_sources == (("google", 2),)


def test_map_of_an_empty_channel_has_every_column_at_zero(db):
    # when
    journey_map = compute_journey_map("web-eur", FEBRUARY)

    # then
    assert len(journey_map.stages) == 8
    for column in journey_map.stages:
        assert column.touchpoints == 0
        assert set(column.by_type.values()) == {0}
        assert set(column.by_touch_channel) == {"WEB", "APP", "EMAIL", "OFFLINE", "API"}
        assert column.top_utm_sources == ()
        assert column.emotions == Emotions(0, 0, 0)


def test_map_names_a_wrong_top(db):
    # when / then
    with pytest.raises(ValueError, match="`top`"):
        compute_journey_map(USD, FEBRUARY, top=0)
