"""Each step sends at most once: retries, failures, dead workers, concurrent sweeps."""

import logging
import threading
from datetime import timedelta

import pytest
from django.core.mail import EmailMultiAlternatives
from django.db import connection
from django.utils import timezone

from example_store.models import Coupon
from saleor_journey_plugin import tasks
from saleor_journey_plugin.campaigns import sweep as sweeping
from saleor_journey_plugin.campaigns.models import CampaignMessage
from saleor_journey_plugin.campaigns.sweep import sweep
from saleor_journey_plugin.core.events import EventType as E

from ..conftest import T0
from ..smtp_inbox import Inbox, serving, use_smtp
from .conftest import checkout, event

HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)


def started(token="t1", at=T0, email="jane.doe@example.com"):
    checkout(token, at=at, email=email)
    event(
        E.CHECKOUT_STARTED,
        f"checkout:{token}:started",
        at=at,
        checkout=token,
        email=email,
    )


def step_one(token="t1"):
    return CampaignMessage.objects.get(subject=token, step=1)


@pytest.mark.django_db
def test_a_refused_send_is_retried_with_the_same_coupon(channels, inbox):
    # given: a coupon on step 1, and a server that refuses the first try
    channels(abandoned_checkout_steps="1h:10%")
    started()
    inbox.refuse = 1

    # when
    first = sweep(now=T0 + HOUR)
    too_soon = sweep(now=T0 + HOUR + 4 * MINUTE)
    retried = sweep(now=T0 + HOUR + 5 * MINUTE)

    # then
    assert (first, too_soon, retried) == ({"retry": 1}, {}, {"sent": 1})
    message = step_one()
    coupon = Coupon.objects.get()
    assert (message.status, message.attempts, message.coupon_code) == (
        "sent",
        2,
        coupon.code,
    )
    [mail] = inbox.messages
    assert coupon.code in mail.get_body(("plain",)).get_content()
    assert inbox.refusals == 1


class RefusingRecipients(Inbox):
    """A mail server that refuses every recipient (RCPT TO), naming them."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return f"550 5.1.1 <{address}>: Recipient address rejected"


@pytest.mark.django_db
def test_a_refused_recipient_is_logged_by_ids_without_the_address(
    channels, settings, caplog
):
    # given: the server refuses Jane's address
    started()
    caplog.set_level(logging.DEBUG)

    # when
    with serving(RefusingRecipients()) as port:
        use_smtp(settings, port)
        outcome = sweep(now=T0 + HOUR)

    # then: the send is retried, and no record of the plugin's names the
    # address (the loopback server's own debug log does)
    assert outcome == {"retry": 1}
    message = step_one()
    logged = "\n".join(
        record.getMessage() + "\n" + (record.exc_text or "")
        for record in caplog.records
        if record.name.startswith("saleor_journey_plugin")
    )
    assert "jane.doe" not in logged and "@example.com" not in logged
    assert (
        f"Campaign email {message.pk} (customer {message.customer_id}) not sent: "
        "SMTPRecipientsRefused 550"
    ) in logged


@pytest.mark.django_db
def test_a_send_refused_every_time_ends_failed_after_five_attempts(channels, inbox):
    # given
    started()
    inbox.refuse = 100

    # when: a sweep whenever the back-off allows (5, 10, 20, 40 minutes)
    outcomes = []
    now = T0 + HOUR
    for wait in (0, 5, 10, 20, 40, 80):
        now += wait * MINUTE
        outcomes.append(sweep(now=now))

    # then
    assert outcomes == [{"retry": 1}] * 4 + [{"failed": 1}, {}]
    message = step_one()
    assert (message.status, message.attempts, message.sent_at) == ("failed", 5, None)
    assert "554" in message.last_error
    assert inbox.refusals == 5
    assert inbox.messages == []


class WorkerKilled(BaseException):
    """The worker process dying (SIGKILL, OOM) while the email is on its way."""


@pytest.mark.django_db
def test_a_worker_dying_mid_send_never_causes_a_second_email(
    channels, inbox, monkeypatch
):
    # given: the worker dies once the row is claimed, before it is marked sent
    started()

    def die(self, fail_silently=False):
        raise WorkerKilled

    monkeypatch.setattr(EmailMultiAlternatives, "send", die)
    with pytest.raises(WorkerKilled):
        sweep(now=T0 + HOUR)
    monkeypatch.undo()

    # when: later sweeps run, before and after the timeout
    soon = sweep(now=T0 + HOUR + MINUTE)
    late = sweep(now=T0 + HOUR + sweeping.SENDING_TIMEOUT + MINUTE)

    # then: the row is given up, never sent again
    assert (soon, late) == ({}, {"failed": 1})
    message = step_one()
    assert (message.status, message.attempts) == ("failed", 1)
    assert message.last_error == sweeping.STUCK
    assert inbox.messages == []


@pytest.mark.django_db
def test_a_task_run_twice_sends_once(channels, inbox):
    # given: a reminder due by the clock of the task
    started(at=timezone.now() - 2 * HOUR)

    # when: the periodic task runs, and is delivered again
    first = tasks.send_campaign_emails.apply().get()
    second = tasks.send_campaign_emails.apply().get()

    # then
    assert (first, second) == ({"sent": 1}, {})
    assert len(inbox.messages) == 1


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_one_email_per_row(channels, inbox):
    # given: twelve customers' reminders due at once
    for number in range(12):
        started(f"t{number}", email=f"shopper{number}@example.com")
    start = threading.Barrier(2)
    outcomes = []

    def run():
        try:
            start.wait()
            outcomes.append(sweep(now=T0 + HOUR))
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then
    assert sum(outcome.get("sent", 0) for outcome in outcomes) == 12
    assert sorted(m["To"] for m in inbox.messages) == sorted(
        f"shopper{number}@example.com" for number in range(12)
    )
    assert set(
        CampaignMessage.objects.filter(step=1).values_list("status", flat=True)
    ) == {"sent"}


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_keep_the_frequency_cap(channels, inbox):
    # given: one customer with two checkouts due at the same time
    started("a")
    started("b")
    start = threading.Barrier(2)

    def run():
        try:
            start.wait()
            sweep(now=T0 + HOUR, limit=1)
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then: one email; the other reminder waits a day
    assert len(inbox.messages) == 1
    assert sorted(
        CampaignMessage.objects.filter(step=1).values_list("status", flat=True)
    ) == ["scheduled", "sent"]
