"""Campaign data under erasure, and an unsubscribe through a guest-to-account merge."""

from datetime import timedelta

import pytest
from django.test import Client

from example_store.purchases import link_guest_orders
from saleor_journey_plugin.campaigns.models import CampaignMessage, CampaignUnsubscribe
from saleor_journey_plugin.campaigns.sweep import sweep
from saleor_journey_plugin.core.erasure import erase_customer
from saleor_journey_plugin.core.events import EventType as E
from saleor_journey_plugin.models import Customer

from ..conftest import T0
from .channels import STORE_URL
from .conftest import checkout, event

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)
JANE = {"email": "jane.doe@example.com"}


def remind_jane(inbox):
    checkout("t1")
    event(E.CHECKOUT_STARTED, "checkout:t1:started", checkout="t1", **JANE)
    sweep(now=T0 + HOUR)
    [mail] = inbox.messages
    return mail["List-Unsubscribe"].strip()[1:-1].removeprefix(STORE_URL)


def test_erasure_cancels_scheduled_steps_and_blanks_sent_ones(channels, inbox):
    # given: step 1 sent, steps 2 and 3 scheduled
    remind_jane(inbox)

    # when
    erase_customer(user_id="", email="jane.doe@example.com")

    # then
    rows = CampaignMessage.objects.order_by("step")
    assert [(r.step, r.status, r.customer_id, r.email) for r in rows] == [
        (1, "sent", None, ""),
        (2, "cancelled", None, ""),
        (3, "cancelled", None, ""),
    ]
    assert sweep(now=T0 + 100 * HOUR) == {}
    assert len(inbox.messages) == 1


def test_an_unsubscribed_guest_stays_unsubscribed_once_merged_into_an_account(
    channels, inbox
):
    # given: an account under another address, and Jane the guest, unsubscribed
    event(E.ACCOUNT_CREATED, "user:7:created", channel="", user_id="7", email="jd@x.io")
    unsubscribe = remind_jane(inbox)
    assert Client().post(unsubscribe).status_code == 200
    guest = Customer.objects.get(email="jane.doe@example.com")

    # when: Jane's guest order, then the account confirms her address as its
    # own and the store links her order to it: the guest merges into it
    for milestone in ("placed", "fulfilled"):
        event(
            E.ORDER_PLACED if milestone == "placed" else E.ORDER_FULFILLED,
            f"order:8:{milestone}",
            at=T0 + 2 * HOUR,
            order_id="8",
            **JANE,
        )
    link_guest_orders("7", JANE["email"])
    event(
        E.ACCOUNT_UPDATED,
        "user:7:email",
        at=T0 + 3 * HOUR,
        channel="",
        user_id="7",
        **JANE,
    )

    # then
    account = Customer.objects.get(user_id="7")
    assert not Customer.objects.filter(pk=guest.pk).exists()
    assert list(CampaignUnsubscribe.objects.values_list("customer_id", "channel")) == [
        (account.pk, "web-usd")
    ]
    assert set(CampaignMessage.objects.values_list("customer_id", flat=True)) == {
        account.pk
    }
    assert sweep(now=T0 + 30 * 24 * HOUR) == {"cancelled": 1}
    assert len(inbox.messages) == 1
