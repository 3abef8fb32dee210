"""The rules checked again when a step is due."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model

from saleor_journey_plugin.campaigns.models import CampaignMessage
from saleor_journey_plugin.campaigns.sweep import sweep
from saleor_journey_plugin.core.events import EventType as E

from ..conftest import T0
from .conftest import checkout, event

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)
SAM = {"email": "sam.lee@example.com", "user_id": "42"}


def fulfilled(order="5", at=T0, who=SAM):
    event(E.ORDER_PLACED, f"order:{order}:placed", at=at, order_id=order, **who)
    event(E.ORDER_FULFILLED, f"order:{order}:fulfilled", at=at, order_id=order, **who)


def started(token="t1", at=T0, who=SAM):
    checkout(token, at=at, email=who["email"], user_id=who.get("user_id", ""))
    event(E.CHECKOUT_STARTED, f"checkout:{token}:started", at=at, checkout=token, **who)


def row(subject):
    found = CampaignMessage.objects.get(subject=subject, step=1)
    return found.status, found.due_at, found.last_error


def test_the_frequency_cap_spans_kinds_and_the_later_step_waits(channels, inbox):
    # given: a review request due at T0 + 7 days, and a checkout started 6 days
    # 23 hours in, whose one reminder is due an hour later, at the same time
    channels(abandoned_checkout_steps="1h")
    fulfilled(at=T0)
    started(at=T0 + 7 * 24 * HOUR - HOUR)

    # when
    first = sweep(now=T0 + 7 * 24 * HOUR)

    # then: one email; the other waits 24 hours after it
    assert first == {"sent": 1, "postponed": 1}
    sent, waiting = sorted(
        CampaignMessage.objects.filter(step=1), key=lambda m: m.status, reverse=True
    )
    assert (sent.status, waiting.status) == ("sent", "scheduled")
    assert waiting.due_at == T0 + 8 * 24 * HOUR
    assert waiting.last_error == "Frequency cap."
    assert sweep(now=T0 + 8 * 24 * HOUR - HOUR) == {}
    assert sweep(now=T0 + 8 * 24 * HOUR) == {"sent": 1}
    assert len(inbox.messages) == 2


def test_a_cap_of_zero_turns_it_off(channels, inbox):
    # given
    channels(min_hours_between_emails="0")
    fulfilled(at=T0)
    started(at=T0 + 7 * 24 * HOUR - HOUR)

    # when
    outcome = sweep(now=T0 + 7 * 24 * HOUR)

    # then
    assert outcome == {"sent": 2}


def test_quiet_hours_in_the_channel_time_zone_postpone_to_their_end(
    channels, inbox, settings
):
    # given: quiet 21-9 in Seoul (UTC+9); the reminder is due at 22:00 Seoul
    channels(quiet_hours="21-9")
    settings.JOURNEY_CHANNELS["web-usd"]["time_zone"] = "Asia/Seoul"
    due = T0.replace(hour=13)  # 22:00 in Seoul
    started(at=due - HOUR)

    # when
    outcome = sweep(now=due)

    # then: it waits for 09:00 Seoul, midnight UTC
    assert outcome == {"postponed": 1}
    assert row("t1") == ("scheduled", T0.replace(hour=0) + 24 * HOUR, "Quiet hours.")
    assert sweep(now=T0.replace(hour=23, minute=59)) == {}
    assert sweep(now=T0.replace(hour=0) + 24 * HOUR) == {"sent": 1}
    assert len(inbox.messages) == 1


def test_subscribers_only_sends_to_customers_with_an_opt_in(channels, inbox):
    # given
    channels(audience="subscribers_only")
    ann = {"email": "ann@example.com", "user_id": "43"}
    event(E.ACCOUNT_CREATED, "user:43:created", at=T0 - HOUR, channel="", **ann)
    event(E.NEWSLETTER_OPT_IN, "opt-in:ann", **ann)
    fulfilled("5", who=SAM)
    fulfilled("6", who=ann)

    # when
    outcome = sweep(now=T0 + 7 * 24 * HOUR)

    # then
    assert outcome == {"skipped": 1, "sent": 1}
    assert row("5")[::2] == ("skipped", "No marketing opt-in on record.")
    assert [m["To"] for m in inbox.messages] == ["ann@example.com"]


def test_an_unsubscribe_from_the_storefront_stops_campaign_emails(channels, inbox):
    # given
    fulfilled()
    event(E.UNSUBSCRIBED, "unsubscribe:sam", at=T0 + HOUR, **SAM)

    # when
    outcome = sweep(now=T0 + 7 * 24 * HOUR)

    # then
    assert outcome == {"cancelled": 1}
    assert row("5")[::2] == ("cancelled", "The customer unsubscribed.")
    assert inbox.messages == []


@pytest.mark.parametrize(
    "user", [{"is_staff": True}, {"is_active": False}], ids=["staff", "inactive"]
)
def test_staff_and_inactive_users_are_skipped(channels, inbox, user):
    # given
    get_user_model().objects.create(pk=42, username="sam", **user)
    fulfilled()

    # when
    outcome = sweep(now=T0 + 7 * 24 * HOUR)

    # then
    assert outcome == {"skipped": 1}
    assert row("5")[::2] == ("skipped", "Staff or inactive user.")
    assert inbox.messages == []


def test_a_customer_without_an_email_is_skipped(channels, inbox):
    # given: an account known by its id only
    fulfilled(who={"user_id": "44"})

    # when
    outcome = sweep(now=T0 + 7 * 24 * HOUR)

    # then
    assert outcome == {"skipped": 1}
    assert row("5")[::2] == ("skipped", "No email address.")
