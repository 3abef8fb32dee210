"""A real Celery worker on Redis runs the campaign task; the email reaches SMTP."""

from datetime import timedelta

import pytest
from django.utils import timezone

from saleor_journey_plugin import tasks
from saleor_journey_plugin.campaigns.models import CampaignMessage
from saleor_journey_plugin.core.events import EventType as E
from saleor_journey_plugin.core.events import JourneyEventData
from saleor_journey_plugin.core.recording import record_event
from saleor_journey_plugin.models import JourneyEvent

from ..celery_worker import running_worker, wait_until
from .channels import CHANNEL
from .conftest import checkout, event

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(smtp):
    """A worker sharing the test database and broker, mailing to our SMTP server."""
    _, port = smtp
    with running_worker(
        "tests.campaigns.worker_settings", CAMPAIGN_TEST_SMTP_PORT=str(port)
    ) as process:
        yield process


def _processed(**lookup) -> bool:
    return JourneyEvent.objects.filter(processed_at__isnull=False, **lookup).exists()


def test_the_worker_sends_a_due_reminder_once(channels, inbox, worker):
    # given: a checkout left two hours ago (campaigns on in the worker's settings)
    left = timezone.now() - timedelta(hours=2)
    checkout("e2e", at=left)
    event(
        E.CHECKOUT_STARTED,
        "checkout:e2e:started",
        at=left,
        checkout="e2e",
        email="jane.doe@example.com",
    )

    # when: beat's task reaches the worker
    tasks.send_campaign_emails.delay()
    wait_until(lambda: inbox.messages, "the email")
    wait_until(lambda: _processed(type=E.EMAIL_SENT.value), "the touchpoint")

    # and: the task is delivered again; a marker event its last drain applies
    tasks.send_campaign_emails.delay()
    marker = record_event(
        JourneyEventData(
            type=E.VISIT,
            idempotency_key="marker",
            occurred_at=timezone.now(),
            channel=CHANNEL,
            visitor_id="marker",
        )
    )
    wait_until(lambda: _processed(pk=marker), "the second run")

    # then
    [mail] = inbox.messages
    assert mail["To"] == "jane.doe@example.com"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Linen shirt" in mail.get_body(("html",)).get_content()
    message = CampaignMessage.objects.get(subject="e2e", step=1)
    assert (message.status, message.attempts) == ("sent", 1)
    sent = JourneyEvent.objects.get(type=E.EMAIL_SENT.value)
    assert (sent.touch_channel, sent.utm_campaign, sent.customer_id) == (
        "EMAIL",
        "abandoned_checkout",
        message.customer_id,
    )
