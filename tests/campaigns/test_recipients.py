"""Who a reminder goes to, and whose consent and link it carries.

A checkout's email is what the shopper typed, and it can change after the
steps were scheduled. The reminder goes to the checkout's current address, so
that address's owner is the one whose unsubscribe and opt-in count, and whom
the email's unsubscribe link unsubscribes.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from saleor_journey_plugin.campaigns.audience import is_unsubscribed
from saleor_journey_plugin.campaigns.models import CampaignMessage, CampaignUnsubscribe
from saleor_journey_plugin.campaigns.sweep import claim, sweep
from saleor_journey_plugin.core.events import EventType as E
from saleor_journey_plugin.core.host import get_host
from saleor_journey_plugin.models import Customer

from ..conftest import T0
from .channels import CHANNEL, STORE_URL
from .conftest import checkout, event

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)
ANN = "ann.kim@example.com"
BEN = "ben.cho@example.com"


def customer(email: str) -> Customer:
    return Customer.objects.get(email=email)


def started_by(email: str, token: str = "t1", user_id: str = "") -> None:
    if user_id:
        # The store reports the account (and its own address) before its checkouts.
        event(
            E.ACCOUNT_CREATED,
            f"user:{user_id}:created",
            at=T0 - HOUR,
            channel="",
            user_id=user_id,
            email=email,
        )
    checkout(token, email=email, user_id=user_id)
    event(
        E.CHECKOUT_STARTED,
        f"checkout:{token}:started",
        checkout=token,
        email=email,
        user_id=user_id,
    )


def email_changed_to(email: str, token: str = "t1") -> None:
    # The shopper typed another address; no new milestone, so no new event.
    checkout(token, email=email)


def recipients(inbox) -> list[str]:
    return [mail["To"] for mail in inbox.messages]


def unsubscribe_link(mail) -> str:
    return mail["List-Unsubscribe"].strip()[1:-1].removeprefix(STORE_URL)


def test_an_unsubscribed_address_typed_on_someone_elses_checkout_gets_nothing(
    channels, inbox
):
    # given: Ben left this channel's campaigns from the storefront; Ann starts a
    # checkout and changes its email to Ben's
    event(E.CHECKOUT_STARTED, "checkout:t0:started", checkout="t0", email=BEN)
    event(E.UNSUBSCRIBED, "unsubscribe:ben", email=BEN)
    CampaignMessage.objects.filter(subject="t0").delete()
    started_by(ANN)
    email_changed_to(BEN)

    # when
    outcome = sweep(now=T0 + HOUR)

    # then: nobody is mailed; Ann's consent is untouched
    assert recipients(inbox) == []
    assert outcome == {"cancelled": 1}
    assert CampaignMessage.objects.get(subject="t1", step=1).last_error == (
        "The recipient unsubscribed."
    )
    assert not is_unsubscribed(customer(ANN).pk, CHANNEL)
    assert not CampaignUnsubscribe.objects.exists()


def test_the_link_in_a_reminder_to_a_changed_address_unsubscribes_its_recipient(
    channels, inbox
):
    # given: Ben is a subscribed guest
    event(E.CHECKOUT_STARTED, "checkout:t0:started", checkout="t0", email=BEN)
    event(E.NEWSLETTER_OPT_IN, "opt-in:ben", email=BEN)
    CampaignMessage.objects.filter(subject="t0").delete()
    started_by(ANN)
    email_changed_to(BEN)
    sweep(now=T0 + HOUR)
    [mail] = inbox.messages

    # when: Ben follows the unsubscribe link
    response = Client().post(unsubscribe_link(mail))

    # then: Ben is unsubscribed, Ann is not
    assert recipients(inbox) == [BEN]
    assert response.status_code == 200
    unsubscribed = CampaignUnsubscribe.objects.values_list("customer__email")
    assert list(unsubscribed) == [(BEN,)]
    assert is_unsubscribed(customer(BEN).pk, CHANNEL)
    assert not is_unsubscribed(customer(ANN).pk, CHANNEL)
    sent = CampaignMessage.objects.get(subject="t1", step=1)
    assert (sent.status, sent.email) == ("sent", BEN)
    assert sent.customer_id == customer(BEN).pk


def test_an_address_nobody_knows_gets_the_reminder_and_its_own_unsubscribe(
    channels, inbox
):
    # given: Ben's address was never seen before Ann typed it
    started_by(ANN)
    email_changed_to(BEN)

    # when
    sweep(now=T0 + HOUR)
    [mail] = inbox.messages
    response = Client().post(unsubscribe_link(mail))

    # then: the address got a guest record, and the unsubscribe is that guest's
    assert recipients(inbox) == [BEN]
    assert response.status_code == 200
    assert is_unsubscribed(customer(BEN).pk, CHANNEL)
    assert not is_unsubscribed(customer(ANN).pk, CHANNEL)


def test_a_signed_in_checkout_typed_with_a_strangers_unsubscribed_address_sends_nothing(
    channels, inbox
):
    # given: Ann's account checkout carries the address of Ben, who unsubscribed
    event(E.CHECKOUT_STARTED, "checkout:t0:started", checkout="t0", email=BEN)
    event(E.UNSUBSCRIBED, "unsubscribe:ben", email=BEN)
    CampaignMessage.objects.filter(subject="t0").delete()
    started_by(ANN, user_id="7")
    checkout("t1", email=BEN, user_id="7")

    # when
    sweep(now=T0 + HOUR)

    # then
    assert recipients(inbox) == []
    assert not is_unsubscribed(customer(ANN).pk, CHANNEL)


def test_subscribers_only_asks_for_the_recipients_opt_in(channels, inbox):
    # given: Ann opted in, Ben (a known guest) did not; Ann's checkout now says Ben
    channels(audience="subscribers_only")
    event(E.NEWSLETTER_OPT_IN, "opt-in:ann", email=ANN)
    event(E.CHECKOUT_STARTED, "checkout:t0:started", checkout="t0", email=BEN)
    CampaignMessage.objects.filter(subject="t0").delete()
    started_by(ANN)
    email_changed_to(BEN)

    # when
    outcome = sweep(now=T0 + HOUR)

    # then
    assert recipients(inbox) == []
    assert outcome == {"skipped": 1}


def test_no_guest_is_made_for_an_address_on_a_checkout_that_was_emptied(
    channels, inbox
):
    # given
    started_by(ANN)
    checkout("t1", email=BEN, lines=[])

    # when
    outcome = sweep(now=T0 + HOUR)

    # then
    assert outcome == {"cancelled": 1}
    assert not Customer.objects.filter(email=BEN).exists()


def claim_queries(count: int, offset: int) -> int:
    """The queries one claim of ``count`` due reminders costs, a third of them
    to known guests' addresses typed in, a third to addresses nobody holds."""
    for number in range(offset, offset + count):
        started_by(f"shopper{number}@example.com", token=f"c{number}")
        if number % 3 == 1:
            email_changed_to(ANN, token=f"c{number}")
        elif number % 3 == 2:
            email_changed_to(f"new{number}@example.com", token=f"c{number}")
    with CaptureQueriesContext(connection) as queries:
        claimed = claim(T0 + HOUR, get_host(), 500)
    assert len(claimed.sends) == count
    return len(queries)


def test_finding_recipients_costs_the_same_queries_for_any_batch_size(channels):
    # given: Ann is a known guest
    started_by(ANN, token="t0")
    CampaignMessage.objects.filter(subject="t0").delete()
    channels(min_hours_between_emails="0")

    # when / then: a batch of 3 and one of 30 (after it) take as many queries
    assert claim_queries(3, 0) == claim_queries(30, 3)
