"""A sweep claims due steps in batches: the rules hold within a batch too."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model

from example_store.models import Coupon, StoreCheckout
from saleor_journey_plugin.campaigns import email as rendering
from saleor_journey_plugin.campaigns import sweep as sweeping
from saleor_journey_plugin.campaigns.models import CampaignMessage
from saleor_journey_plugin.campaigns.sweep import sweep
from saleor_journey_plugin.core.events import EventType as E
from saleor_journey_plugin.core.host import get_host
from saleor_journey_plugin.models import JourneyEvent

from ..conftest import T0
from .conftest import checkout, event

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)


def started(token, email, at=T0, user_id=""):
    checkout(token, at=at, email=email, user_id=user_id)
    event(
        E.CHECKOUT_STARTED,
        f"checkout:{token}:started",
        at=at,
        checkout=token,
        email=email,
        user_id=user_id,
    )


def step_one(token):
    return CampaignMessage.objects.get(subject=token, step=1)


def test_two_due_steps_of_one_customer_in_one_batch_send_one_the_other_waits(
    channels, inbox
):
    # given: one customer's two checkouts, their reminders due a minute apart
    channels(abandoned_checkout_steps="1h")
    started("t1", "sam.lee@example.com", at=T0, user_id="42")
    started("t2", "sam.lee@example.com", at=T0 + MINUTE, user_id="42")
    assert step_one("t1").customer_id == step_one("t2").customer_id

    # when: one sweep claims both in one batch
    outcome = sweep(now=T0 + 2 * HOUR)

    # then: the earlier is sent, the later waits out the 24 h cap
    assert outcome == {"sent": 1, "postponed": 1}
    first, second = step_one("t1"), step_one("t2")
    assert (first.status, first.sent_at) == ("sent", T0 + 2 * HOUR)
    assert (second.status, second.due_at, second.last_error) == (
        "scheduled",
        T0 + 26 * HOUR,
        "Frequency cap.",
    )
    assert [m["To"] for m in inbox.messages] == ["sam.lee@example.com"]


def test_one_email_failing_to_render_and_one_refused_leave_the_others_sent(
    channels, inbox, monkeypatch
):
    # given: four reminders due; the server refuses the first email it gets,
    # and the second cannot be rendered
    channels(abandoned_checkout_steps="1h")
    for n in range(1, 5):
        started(f"t{n}", f"buyer{n}@example.com", at=T0 + n * MINUTE)
    inbox.refuse = 1
    build = rendering.build

    def broken_for_buyer2(message, send, host):
        if send.email == "buyer2@example.com":
            raise ValueError("template error")
        return build(message, send, host)

    monkeypatch.setattr(rendering, "build", broken_for_buyer2)

    # when
    now = T0 + 2 * HOUR
    outcome = sweep(now=now)

    # then: those two wait for their retry; the other two left
    assert outcome == {"retry": 2, "sent": 2}
    assert sorted(m["To"] for m in inbox.messages) == [
        "buyer3@example.com",
        "buyer4@example.com",
    ]
    for token, error in (("t1", "554"), ("t2", "template error")):
        message = step_one(token)
        assert (message.status, message.attempts, message.sent_at) == (
            "scheduled",
            1,
            None,
        )
        assert message.next_attempt_at == now + 5 * MINUTE
        assert error in message.last_error
    assert [step_one(t).status for t in ("t3", "t4")] == ["sent", "sent"]

    # when: the retries are due, rendering fixed
    monkeypatch.setattr(rendering, "build", build)
    retried = sweep(now=now + 5 * MINUTE)

    # then
    assert retried == {"sent": 2}
    assert len(inbox.messages) == 4


def test_a_batch_mixing_outcomes_counts_each_exactly(channels, inbox, monkeypatch):
    # given: five due reminders of five customers: two to send, a deleted
    # checkout, an ordered one, and a staff member's; batches of two
    channels(abandoned_checkout_steps="1h")
    staff = get_user_model().objects.create_user(
        "staff", "staff@example.com", is_staff=True
    )
    started("t1", "buyer1@example.com", at=T0 + 1 * MINUTE)
    started("t2", "buyer2@example.com", at=T0 + 2 * MINUTE)
    started("t3", "staff@example.com", at=T0 + 3 * MINUTE, user_id=str(staff.pk))
    started("t4", "buyer4@example.com", at=T0 + 4 * MINUTE)
    started("t5", "buyer5@example.com", at=T0 + 5 * MINUTE)
    StoreCheckout.objects.filter(token="t2").delete()
    StoreCheckout.objects.filter(token="t4").update(order_id="o4")
    monkeypatch.setattr(sweeping, "CLAIM_SIZE", 2)

    # when: a sweep of at most four steps, then one of the rest
    first = sweep(now=T0 + 2 * HOUR, limit=4)
    rest = sweep(now=T0 + 2 * HOUR)

    # then
    assert first == {"sent": 1, "cancelled": 2, "skipped": 1}
    assert rest == {"sent": 1}
    assert [step_one(f"t{n}").status for n in range(1, 6)] == [
        "sent",
        "cancelled",
        "skipped",
        "cancelled",
        "sent",
    ]
    assert [step_one(t).last_error for t in ("t2", "t3", "t4")] == [
        "The checkout was deleted.",
        "Staff or inactive user.",
        "An order was placed from it.",
    ]
    assert sorted(m["To"] for m in inbox.messages) == [
        "buyer1@example.com",
        "buyer5@example.com",
    ]


def test_a_coupon_that_fails_fails_its_own_send_only(channels, inbox, monkeypatch):
    # given: a 10% coupon on the reminder; the store cannot make buyer1's
    channels(abandoned_checkout_steps="1h:10%")
    started("t1", "buyer1@example.com", at=T0 + 1 * MINUTE)
    started("t2", "buyer2@example.com", at=T0 + 2 * MINUTE)
    store = type(get_host())
    create_coupon = store.create_coupon
    refused = f"journey-campaign:{step_one('t1').pk}"

    def flaky(self, request):
        if request.reference == refused:
            raise ConnectionError("coupon service down")
        return create_coupon(self, request)

    monkeypatch.setattr(store, "create_coupon", flaky)

    # when
    now = T0 + 2 * HOUR
    outcome = sweep(now=now)

    # then: buyer2's email left with its code; buyer1's waits for a retry
    assert outcome == {"sent": 1, "retry": 1}
    [coupon] = Coupon.objects.all()
    assert step_one("t2").coupon_code == coupon.code
    first = step_one("t1")
    assert (first.status, first.attempts, first.coupon_code) == ("scheduled", 1, "")
    assert first.next_attempt_at == now + 5 * MINUTE
    assert [m["To"] for m in inbox.messages] == ["buyer2@example.com"]


def test_a_batch_whose_rules_fail_is_settled_one_by_one(channels, inbox, monkeypatch):
    # given: the store fails to read any set of checkouts holding t2
    channels(abandoned_checkout_steps="1h")
    for n in range(1, 4):
        started(f"t{n}", f"buyer{n}@example.com", at=T0 + n * MINUTE)
    store = type(get_host())
    read_checkouts = store.read_checkouts

    def failing_on_t2(self, tokens):
        if "t2" in tokens:
            raise ConnectionError("store unreachable")
        return read_checkouts(self, tokens)

    monkeypatch.setattr(store, "read_checkouts", failing_on_t2)

    # when
    outcome = sweep(now=T0 + 2 * HOUR)

    # then: only t2 waits for a retry
    assert outcome == {"sent": 2, "retry": 1}
    assert [step_one(f"t{n}").status for n in range(1, 4)] == [
        "sent",
        "scheduled",
        "sent",
    ]
    assert "store unreachable" in step_one("t2").last_error
    assert sorted(m["To"] for m in inbox.messages) == [
        "buyer1@example.com",
        "buyer3@example.com",
    ]


def test_a_batch_out_of_sending_time_gives_its_unsent_rows_back(
    channels, inbox, monkeypatch
):
    # given: two reminders due, and a mail server so slow that the batch's
    # time is up before its first email
    channels(abandoned_checkout_steps="1h")
    started("t1", "buyer1@example.com", at=T0 + 1 * MINUTE)
    started("t2", "buyer2@example.com", at=T0 + 2 * MINUTE)
    monkeypatch.setattr(sweeping, "SEND_BUDGET", timedelta(seconds=-1))

    # when
    outcome = sweep(now=T0 + 2 * HOUR)

    # then: nothing left, both due again as if never claimed
    assert outcome == {}
    assert inbox.messages == []
    for token in ("t1", "t2"):
        message = step_one(token)
        assert (message.status, message.attempts, message.sent_at) == (
            "scheduled",
            0,
            None,
        )

    # when: a later sweep has the time
    monkeypatch.setattr(sweeping, "SEND_BUDGET", timedelta(minutes=5))
    again = sweep(now=T0 + 2 * HOUR + MINUTE)

    # then
    assert again == {"sent": 2}
    assert len(inbox.messages) == 2


def test_a_worker_killed_mid_batch_keeps_what_it_sent_and_never_resends(
    channels, inbox, monkeypatch
):
    # given: three reminders due; the worker dies while on the second email
    channels(abandoned_checkout_steps="1h")
    for n in range(1, 4):
        started(f"t{n}", f"buyer{n}@example.com", at=T0 + n * MINUTE)
    build = rendering.build

    def killed_at_buyer2(message, send, host):
        if send.email == "buyer2@example.com":
            raise SystemExit("worker killed")
        return build(message, send, host)

    monkeypatch.setattr(rendering, "build", killed_at_buyer2)

    # when: the sweep dies; later sweeps run with a healthy worker
    with pytest.raises(SystemExit):
        sweep(now=T0 + 2 * HOUR)
    after_kill = {t: step_one(t).status for t in ("t1", "t2", "t3")}
    monkeypatch.setattr(rendering, "build", build)
    soon = sweep(now=T0 + 2 * HOUR + 5 * MINUTE)
    late = sweep(now=T0 + 2 * HOUR + sweeping.SENDING_TIMEOUT + MINUTE)

    # then: the first email left and stays sent with its touchpoint; the one
    # in flight and the one not reached are never sent (at most once)
    assert after_kill == {"t1": "sent", "t2": "sending", "t3": "sending"}
    assert (soon, late) == ({}, {"failed": 2})
    assert {t: step_one(t).status for t in ("t1", "t2", "t3")} == {
        "t1": "sent",
        "t2": "failed",
        "t3": "failed",
    }
    assert [m["To"] for m in inbox.messages] == ["buyer1@example.com"]
    assert list(
        JourneyEvent.objects.filter(type=E.EMAIL_SENT).values_list(
            "customer__email", flat=True
        )
    ) == ["buyer1@example.com"]
