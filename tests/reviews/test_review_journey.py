"""REVIEW_EDITED moves stages and feels like REVIEW_SUBMITTED."""

from datetime import UTC, datetime

import pytest

from saleor_journey_plugin.core.engine import JourneyState, advance
from saleor_journey_plugin.core.events import (
    Emotion,
    EventType,
    emotion,
    is_pain_point,
)
from saleor_journey_plugin.core.stages import Stage

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("rating", "moved_to"),
    [(1, None), (3, None), (4, Stage.LOYALTY), (5, Stage.LOYALTY)],
)
def test_an_edit_to_4_or_5_moves_a_customer_to_loyalty(rating, moved_to):
    # given
    state = JourneyState(stage=Stage.RETENTION)

    # when
    step = advance(state, EventType.REVIEW_EDITED, NOW, rating=rating)

    # then
    assert step.moved_to is moved_to


def test_an_edit_down_to_1_moves_no_one_back():
    # when
    step = advance(
        JourneyState(stage=Stage.LOYALTY), EventType.REVIEW_EDITED, NOW, rating=1
    )

    # then
    assert (step.moved_to, step.state.stage) == (None, Stage.LOYALTY)


@pytest.mark.parametrize(
    ("rating", "feeling", "pain"),
    [
        (1, Emotion.NEGATIVE, True),
        (2, Emotion.NEGATIVE, True),
        (3, Emotion.NEUTRAL, False),
        (4, Emotion.POSITIVE, False),
        (5, Emotion.POSITIVE, False),
    ],
)
def test_an_edit_feels_like_a_review_of_its_new_rating(rating, feeling, pain):
    # when / then
    for event_type in (EventType.REVIEW_EDITED, "REVIEW_EDITED"):
        assert emotion(event_type, rating) is feeling
        assert is_pain_point(event_type, rating) is pain
