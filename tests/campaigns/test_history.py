"""Campaigns and a backfilled past: a fact read from the store's history
schedules only the steps still to come. A reminder whose time passed before
the store learned of the fact would be about last month's cart (and, moving
from the plugin to the App, one the plugin sent already)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from saleor_journey_plugin.campaigns.models import CampaignMessage
from saleor_journey_plugin.core.backfill import backfill
from saleor_journey_plugin.core.events import EventType as E
from saleor_journey_plugin.core.events import JourneyEventData
from saleor_journey_plugin.core.processing import drain
from saleor_journey_plugin.core.recording import record_event

from ..conftest import CHANNEL

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


def started(token: str, hours_ago: float) -> JourneyEventData:
    return JourneyEventData(
        type=E.CHECKOUT_STARTED,
        idempotency_key=f"checkout:{token}:started",
        occurred_at=timezone.now() - hours_ago * HOUR,
        channel=CHANNEL,
        email=f"{token}@example.com",
        payload={"checkout": token},
    )


def steps_of(token: str) -> list[int]:
    return list(
        CampaignMessage.objects.filter(subject=token)
        .order_by("step")
        .values_list("step", flat=True)
    )


def test_a_backfilled_checkout_schedules_only_the_steps_still_to_come(channels):
    # given: abandoned-checkout steps 1 h, 24 h and 72 h after the last change

    # when: the backfill records a checkout left 30 hours ago, one left a
    # year ago, and one left ten minutes ago
    backfill([started("t30h", 30), started("t1y", 24 * 365), started("t10m", 1 / 6)])

    # then: only the 72 h step of the first, nothing of the year-old one, and
    # every step of the recent one
    assert steps_of("t30h") == [3]
    assert steps_of("t1y") == []
    assert steps_of("t10m") == [1, 2, 3]


def test_the_same_fact_from_a_live_hook_schedules_every_step(channels):
    # a hook (or a webhook) that tells late still gets every step: the drain
    # may have been down, and its reminders are the store's own to send late
    record_event(started("t30h", 30))
    drain()

    assert steps_of("t30h") == [1, 2, 3]
