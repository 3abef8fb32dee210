"""Campaigns and the past: a fact read from the store's history, or folded
again by a rewrite, schedules only the steps still to come. A reminder whose
time passed before the store learned of the fact would be about last month's
cart (and, moving from the plugin to the App, one the plugin sent already)."""

from datetime import UTC, timedelta

import pytest
from django.utils import timezone

from saleor_journey_plugin.campaigns.models import CampaignMessage
from saleor_journey_plugin.core.backfill import backfill
from saleor_journey_plugin.core.events import EventType as E
from saleor_journey_plugin.core.events import JourneyEventData
from saleor_journey_plugin.core.processing import drain
from saleor_journey_plugin.core.recording import record_event
from saleor_journey_plugin.models import Customer

from ..conftest import CHANNEL

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


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


PRODUCT_PAGE = "https://shop.example.com/products/{slug}"
SAM = {"user_id": "42", "email": "sam.lee@example.com"}


def tracked(event_type, key: str, at, **fields) -> None:
    record_event(
        JourneyEventData(
            type=event_type,
            idempotency_key=key,
            occurred_at=at,
            channel=fields.pop("channel", CHANNEL),
            user_id=fields.pop("user_id", ""),
            email=fields.pop("email", ""),
            visitor_id=fields.pop("visitor_id", ""),
            payload=fields,
        )
    )
    drain()


@pytest.mark.parametrize(
    ("viewed_ago", "scheduled"),
    [(timedelta(minutes=10), True), (timedelta(days=200), False)],
    ids=["minutes-ago", "last-spring"],
)
def test_a_visitors_views_become_the_accounts_at_sign_in_if_still_timely(
    channels, viewed_ago, scheduled
):
    # given: browse emails 4 h after a day's last view; Sam, a subscriber,
    # looked at a product while signed out (anonymous: nothing scheduled)
    channels(
        browse_abandonment_enabled="true",
        browse_abandonment_product_url_template=PRODUCT_PAGE,
    )
    now = timezone.now()
    tracked(E.ACCOUNT_CREATED, "user:42:created", now - 300 * DAY, channel="", **SAM)
    tracked(E.NEWSLETTER_OPT_IN, "user:42:opt-in", now - 300 * DAY, **SAM)
    viewed_at = now - viewed_ago
    tracked(E.PRODUCT_VIEWED, "view:1", viewed_at, visitor_id="v-1", product_id="tote")
    assert CampaignMessage.objects.count() == 0

    # when: Sam signs in on that browser (the view becomes the account's)
    tracked(E.VISIT, "visit:1", now, visitor_id="v-1", **SAM)

    # then: a view of minutes ago makes its email, one of last spring none
    sam = Customer.objects.get(user_id="42")
    day = viewed_at.astimezone(UTC).date().isoformat()
    expected = [(f"{sam.pk}:{day}", 1, viewed_at + 4 * HOUR)] if scheduled else []
    assert (
        list(CampaignMessage.objects.values_list("subject", "step", "due_at"))
        == expected
    )
