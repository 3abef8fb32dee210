"""A customer sees the campaign emails sent to them, and their clicks, in
``myJourney.touchpoints``."""

import json
from datetime import timedelta

import pytest

from example_store.host import issue_token
from saleor_journey_plugin.campaigns.actions import click
from saleor_journey_plugin.campaigns.models import CampaignMessage
from saleor_journey_plugin.campaigns.sweep import sweep
from saleor_journey_plugin.campaigns.tokens import click_token
from saleor_journey_plugin.core.events import EventType as E
from saleor_journey_plugin.core.processing import drain

from ..conftest import T0
from .channels import CHANNEL
from .conftest import checkout, event

pytestmark = pytest.mark.django_db

JANE = {"user_id": "7", "email": "jane.doe@example.com"}
MY_TOUCHPOINTS = """
query { myJourney { touchpoints { eventType touchChannel utmSource utmCampaign } } }
"""


def test_the_first_reminder_and_its_click_are_touchpoints_of_the_customer(
    channels, inbox, client
):
    # given: Jane's account (the store reports it with her own address); her
    # checkout got its first reminder an hour later, and she clicked it
    at = T0 - timedelta(hours=1)
    event(E.ACCOUNT_CREATED, "user:7:created", at=at, channel="", **JANE)
    checkout("t1", email=JANE["email"])
    event(E.CHECKOUT_STARTED, "checkout:t1:started", checkout="t1", **JANE)
    sweep(now=T0 + timedelta(hours=1))
    sent = CampaignMessage.objects.get(status="sent")
    click(click_token(sent.pk), CHANNEL)
    drain()

    # when
    response = client.post(
        f"/graphql/{CHANNEL}/",
        data=json.dumps({"query": MY_TOUCHPOINTS}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {issue_token(**JANE)}",
    )

    # then: newest first
    assert response.json()["data"]["myJourney"]["touchpoints"] == [
        {
            "eventType": "EMAIL_CLICKED",
            "touchChannel": "EMAIL",
            "utmSource": "journey",
            "utmCampaign": "abandoned_checkout",
        },
        {
            "eventType": "EMAIL_SENT",
            "touchChannel": "EMAIL",
            "utmSource": "journey",
            "utmCampaign": "abandoned_checkout",
        },
        {
            "eventType": "CHECKOUT_STARTED",
            "touchChannel": "WEB",
            "utmSource": "",
            "utmCampaign": "",
        },
        {
            "eventType": "ACCOUNT_CREATED",
            "touchChannel": "WEB",
            "utmSource": "",
            "utmCampaign": "",
        },
    ]
    assert len(inbox.messages) == 1
