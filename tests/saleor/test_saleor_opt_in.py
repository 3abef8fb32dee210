"""Double opt-in inside Saleor: the confirmation email and its link on the
plugin's URL (``confirm-opt-in/<token>/``)."""

import re
from urllib.parse import urlsplit

from django.test import Client, TestCase

from saleor_journey_plugin.core.processing import drain
from saleor_journey_plugin.double_opt_in.models import OptInEmail
from saleor_journey_plugin.models import Journey, JourneyEvent
from saleor_journey_plugin.saleor_adapter.host import PLUGIN_ID
from tests.smtp_inbox import smtp_server, use_smtp

TRACK = """
mutation($input: JourneyTrackInput!) {
  trackJourneyEvent(input: $input) { recorded pendingConfirmation }
}
"""


def test_a_sign_up_is_mailed_and_confirmed_through_the_plugin_url(
    journey_active, channel_USD, customer_user, journey_api, settings
):
    # given: a visitor signs up the customer's address; the worker (eager in
    # Saleor's tests) applies it and mails the link
    with smtp_server() as (inbox, port):
        use_smtp(settings, port)
        answers = [
            journey_api(
                channel_USD.slug,
                TRACK,
                {
                    "input": {
                        "eventType": "NEWSLETTER_OPT_IN",
                        "eventId": f"form-{n}",
                        "visitorId": "5e0c7d2a-visitor",
                        "email": customer_user.email,
                    }
                },
            ).json()
            for n in range(3)
        ]
        [mail] = inbox.wait_for(1)
    assert {a["data"]["trackJourneyEvent"]["pendingConfirmation"] for a in answers} == {
        True
    }
    assert sorted(OptInEmail.objects.values_list("status", flat=True)) == [
        "sent",
        "skipped",
        "skipped",
    ]
    assert mail["To"] == customer_user.email
    text = mail.get_body(("plain",)).get_content()
    base = f"/plugins/channel/{channel_USD.slug}/{PLUGIN_ID}/"
    link = urlsplit(re.search(r"(https?://\S+/confirm-opt-in/\S+/)", text)[1]).path
    assert link.startswith(f"{base}confirm-opt-in/")

    # when: the link is opened, the button pressed twice, a forgery tried
    page = Client().get(link)
    with TestCase.captureOnCommitCallbacks(execute=True):
        done = Client().post(link)
    again = Client().post(link)
    forged = Client().post(link[:-2] + ("A/" if link[-2] != "A" else "B/"))
    drain()

    # then: one opt-in, on the customer's account
    assert (page.status_code, done.status_code, again.status_code) == (200, 200, 200)
    assert b"<form" in page.content
    assert b"You are subscribed" in done.content
    assert b"already confirmed" in again.content
    assert forged.status_code == 400
    [opt_in] = JourneyEvent.objects.filter(type="NEWSLETTER_OPT_IN")
    assert opt_in.customer.user_id == str(customer_user.pk)
    journey = Journey.objects.get(
        customer__user_id=str(customer_user.pk), channel=channel_USD.slug
    )
    assert journey.stage == "AWARENESS"
