"""End to end: an anonymous sign-up through GraphQL, a real Celery worker on
Redis, the confirmation email on a real SMTP server, the link followed over HTTP."""

import re

import pytest
from django.test import Client

from saleor_journey_plugin.double_opt_in.models import OptInEmail
from saleor_journey_plugin.models import Journey, JourneyEvent

from ..campaigns.channels import STORE_URL
from ..celery_worker import running_worker, wait_until
from ..graphql.api import graphql
from ..test_tracking import TRACK

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

VISITOR = "0b7c6f5e-visitor-eve"


@pytest.fixture
def worker(smtp, channels):
    """A worker sharing the test database and broker, mailing to our SMTP server."""
    _, port = smtp
    with running_worker(
        "tests.campaigns.worker_settings", CAMPAIGN_TEST_SMTP_PORT=str(port)
    ) as process:
        yield process


def sign_up(client, event_id, email="jane.doe@example.com"):
    opt_in = {
        "eventType": "NEWSLETTER_OPT_IN",
        "eventId": event_id,
        "visitorId": VISITOR,
        "email": email,
    }
    return graphql(client, TRACK, {"input": opt_in}).json()


def _applied(**lookup) -> bool:
    return JourneyEvent.objects.filter(processed_at__isnull=False, **lookup).exists()


def _settled() -> bool:
    return not OptInEmail.objects.filter(status__in=["pending", "sending"]).exists()


def test_an_anonymous_sign_up_mails_one_confirmation_link_that_opts_in(
    client, inbox, worker
):
    # when: a visitor signs up jane's address on the storefront, ten times
    answers = [sign_up(client, f"form-{n}") for n in range(10)]

    # then: the worker mails her one confirmation link
    assert {a["data"]["trackJourneyEvent"]["pendingConfirmation"] for a in answers} == {
        True
    }
    wait_until(lambda: inbox.messages, "the confirmation email")
    wait_until(lambda: OptInEmail.objects.count() == 10, "the ten requests")
    wait_until(_settled, "the ten requests settled")
    assert sorted(OptInEmail.objects.values_list("status", flat=True)) == [
        "sent",
        *["skipped"] * 9,
    ]
    [mail] = inbox.messages
    assert mail["To"] == "jane.doe@example.com"
    text = mail.get_body(("plain",)).get_content()
    link = re.search(rf"{re.escape(STORE_URL)}(/\S+/confirm-opt-in/\S+/)", text)[1]

    # when: she opens the link, then presses the button
    page = Client().get(link)
    confirmed = Client().post(link)
    wait_until(lambda: _applied(type="NEWSLETTER_OPT_IN"), "the opt-in applied")

    # then: the opt-in is hers (a guest with her address), from the email channel
    assert page.status_code == 200
    assert b'<form method="post"' in page.content
    assert confirmed.status_code == 200
    [opt_in] = JourneyEvent.objects.filter(type="NEWSLETTER_OPT_IN")
    assert (opt_in.customer.email, opt_in.customer.visitor_id) == (
        "jane.doe@example.com",
        None,
    )
    assert opt_in.touch_channel == "EMAIL"
    journey = Journey.objects.get(customer=opt_in.customer, channel="web-usd")
    assert journey.stage == "AWARENESS"

    # when: she clicks again
    again = Client().post(link)

    # and: someone tries a tampered link
    forged = Client().post(link[:-2] + ("A/" if link[-2] != "A" else "B/"))

    # then: a friendly answer, nothing new; the forgery refused
    assert again.status_code == 200
    assert b"already confirmed" in again.content
    assert forged.status_code == 400
    assert JourneyEvent.objects.filter(type="NEWSLETTER_OPT_IN").count() == 1
    assert len(inbox.messages) == 1
