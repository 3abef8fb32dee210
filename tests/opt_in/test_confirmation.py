"""Double opt-in: an anonymous sign-up mails its address one signed link, which
confirms once, through the store's HTTP path; what the worker runs is called
here in order (the drain, then the sending task's body)."""

import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from saleor_journey_plugin.core import consent
from saleor_journey_plugin.core.events import EventType as E
from saleor_journey_plugin.core.processing import drain
from saleor_journey_plugin.double_opt_in.mailing import (
    RATE_LIMITED,
    REQUESTS,
    send_pending,
)
from saleor_journey_plugin.double_opt_in.models import OptInEmail, OptInMailbox
from saleor_journey_plugin.models import JourneyEvent

from ..campaigns.channels import STORE_URL
from ..seed import seed
from ..test_tracking import TRACK

pytestmark = pytest.mark.django_db

ANN = "ann@example.com"


def sign_up(
    email=ANN,
    *,
    event_id="form-1",
    visitor="0b7c6f5e-visitor-eve",
    channel="web-usd",
    client_ip="203.0.113.7",
):
    """An anonymous storefront sign-up, as the browser posts it."""
    body = {
        "query": TRACK,
        "variables": {
            "input": {
                "eventType": "NEWSLETTER_OPT_IN",
                "eventId": event_id,
                "visitorId": visitor,
                "email": email,
            }
        },
    }
    return (
        Client(REMOTE_ADDR=client_ip)
        .post(f"/graphql/{channel}/", json.dumps(body), content_type="application/json")
        .json()
    )


def worker_runs(now=None):
    """What the worker does after a sign-up: apply it, then send."""
    drain()
    return dict(send_pending(now))


def link_of(mail):
    text = mail.get_body(("plain",)).get_content()
    return re.search(rf"{re.escape(STORE_URL)}(/\S+/confirm-opt-in/\S+/)", text)[1]


def opt_ins():
    return list(
        JourneyEvent.objects.filter(type=E.NEWSLETTER_OPT_IN.value).values_list(
            "customer__user_id", "customer__email", "channel", "touch_channel"
        )
    )


@pytest.fixture
def ann(channels):
    """Ann has an account in the store."""
    seed(
        E.ACCOUNT_CREATED,
        "user:42:created",
        days=0,
        user_id="42",
        email=ANN,
        channel="",
    )


@pytest.fixture
def mailed(ann, inbox):
    """A visitor signed Ann's address up; the worker mailed her the link."""
    sign_up()
    assert worker_runs() == {"sent": 1}
    [mail] = inbox.messages
    return link_of(mail)


def test_an_anonymous_sign_up_mails_its_address_one_confirmation(ann, inbox):
    # when: a visitor signs up Ann's address; the worker runs, then runs again
    # and the drain's follower sees the request once more (a replay)
    answer = sign_up()
    first = worker_runs()
    REQUESTS.fold(list(JourneyEvent.objects.values_list("pk", flat=True)), 1)
    again = worker_runs()

    # then: one email, to the address, with the signed link; nothing recorded yet
    assert answer == {
        "data": {"trackJourneyEvent": {"recorded": True, "pendingConfirmation": True}}
    }
    assert (first, again) == ({"sent": 1}, {})
    [mail] = inbox.messages
    assert mail["To"] == ANN
    assert mail["From"] == "Example Store <shop@example.com>"
    assert mail["Subject"] == "Confirm your subscription to Example Store"
    assert "List-Unsubscribe" not in mail
    html = mail.get_body(("html",)).get_content()
    assert f'href="{STORE_URL}/campaigns/web-usd/confirm-opt-in/' in html
    assert link_of(mail).startswith("/campaigns/web-usd/confirm-opt-in/")
    assert "works for 7 days" in mail.get_body(("plain",)).get_content()
    assert list(OptInEmail.objects.values_list("status", "attempts")) == [("sent", 1)]
    assert opt_ins() == []


def test_a_korean_channel_mails_and_answers_in_korean(ann, inbox):
    # when
    sign_up(channel="web-krw")
    worker_runs()
    [mail] = inbox.messages
    page = Client().get(link_of(mail))

    # then
    assert mail["Subject"].strip() == "[예시 스토어] 뉴스레터 구독을 확인해 주세요"
    assert "구독 확인하기" in mail.get_body(("plain",)).get_content()
    assert link_of(mail).startswith("/campaigns/web-krw/confirm-opt-in/")
    assert '<html lang="ko">' in page.content.decode()
    assert "구독 확인하기" in page.content.decode()


def test_opening_the_link_asks_and_the_button_opts_in_the_owner_once(mailed):
    # when: a mail scanner or Ann opens the link
    page = Client().get(mailed)

    # then: a page with a button; nothing recorded
    assert page.status_code == 200
    assert b'<form method="post"><button type="submit">Confirm my subscription' in (
        page.content
    )
    assert JourneyEvent.objects.filter(type=E.NEWSLETTER_OPT_IN.value).count() == 0

    # when: she presses it, twice, and opens the link again
    confirmed = Client().post(mailed)
    twice = Client().post(mailed)
    later = Client().get(mailed)
    drain()

    # then: one opt-in, on her account, from the email channel
    assert (confirmed.status_code, twice.status_code, later.status_code) == (
        200,
        200,
        200,
    )
    assert b"You are subscribed" in confirmed.content
    assert b"You are already confirmed" in twice.content
    assert b"You are already confirmed" in later.content
    assert b"<form" not in later.content
    assert opt_ins() == [("42", ANN, "web-usd", "EMAIL")]


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(
            lambda link: link[:-2] + ("A/" if link[-2] != "A" else "B/"), id="signature"
        ),
        pytest.param(
            lambda link: re.sub(
                r"confirm-opt-in/[^:]+", "confirm-opt-in/MTIzNDU", link
            ),
            id="request",
        ),
        pytest.param(lambda link: link.replace("/web-usd/", "/web-krw/"), id="channel"),
    ],
)
def test_a_tampered_link_is_refused_and_records_nothing(mailed, tamper):
    # when
    got = Client().get(tamper(mailed))
    posted = Client().post(tamper(mailed))
    drain()

    # then
    assert (got.status_code, posted.status_code) == (400, 400)
    # (in the language of the channel the link names)
    invalid = "올바른 링크가 아니에요" if "/web-krw/" in tamper(mailed) else "not valid"
    assert invalid in posted.content.decode()
    assert opt_ins() == []


def test_an_expired_link_is_refused(mailed, monkeypatch):
    # given: links that lived no time at all
    monkeypatch.setattr(consent, "VALID_FOR", timedelta(seconds=-1))

    # when
    posted = Client().post(mailed)
    drain()

    # then
    assert posted.status_code == 400
    assert b"This link has expired" in posted.content
    assert opt_ins() == []


def test_ten_sign_ups_of_one_address_send_one_email_a_day(ann, inbox):
    # when: ten sign-ups of Ann's address, from ten clients and visitors, in
    # both channels
    for n in range(10):
        sign_up(
            event_id=f"form-{n}",
            visitor=f"visitor-{n:04d}",
            channel=("web-usd", "web-krw")[n % 2],
            client_ip=f"198.51.100.{n}",
        )
    outcome = worker_runs()

    # then: one email; the other requests are skipped
    assert outcome == {"sent": 1, "skipped": 9}
    assert len(inbox.messages) == 1
    assert set(
        OptInEmail.objects.filter(status="skipped").values_list("last_error", flat=True)
    ) == {RATE_LIMITED}

    # when: she signs up again a day later
    sign_up(event_id="form-next-day")
    drain()
    day_later = dict(send_pending(timezone.now() + timedelta(hours=24, minutes=1)))

    # then
    assert day_later == {"sent": 1}
    assert len(inbox.messages) == 2


def test_one_client_may_sign_up_ten_addresses_an_hour(channels, inbox):
    # when: one client signs up eleven addresses
    answers = [
        sign_up(f"person{n}@example.com", event_id=f"form-{n}") for n in range(11)
    ]
    worker_runs()

    # then: the eleventh is refused and records nothing
    assert [a.get("data", {}).get("trackJourneyEvent") for a in answers[:10]] == [
        {"recorded": True, "pendingConfirmation": True}
    ] * 10
    assert answers[10]["data"] == {"trackJourneyEvent": None}
    [error] = answers[10]["errors"]
    assert error["extensions"]["exception"]["code"] == "RATE_LIMITED"
    assert error["message"].startswith(
        "Too many sign-ups from this client: at most 10 an hour."
    )
    assert JourneyEvent.objects.filter(type="NEWSLETTER_OPT_IN_REQUESTED").count() == 10
    assert sorted(m["To"] for m in inbox.messages) == sorted(
        f"person{n}@example.com" for n in range(10)
    )


def test_a_refused_email_is_retried_and_sent_once(ann, inbox):
    # given: the mail server refuses once
    inbox.refuse = 1
    sign_up()

    # when: the worker runs, then again after the back-off
    first = worker_runs()
    second = dict(send_pending(timezone.now() + timedelta(minutes=2)))
    third = dict(send_pending(timezone.now() + timedelta(minutes=10)))

    # then
    assert (first, second, third) == ({"retry": 1}, {"sent": 1}, {})
    assert len(inbox.messages) == 1
    assert list(OptInEmail.objects.values_list("status", "attempts")) == [("sent", 2)]


def test_a_worker_that_died_while_sending_never_sends_again(ann, inbox):
    # given: a send claimed by a worker that then died
    sign_up()
    drain()
    OptInEmail.objects.update(status="sending", sent_at=timezone.now(), attempts=1)

    # when: later runs
    soon = dict(send_pending())
    later = dict(send_pending(timezone.now() + timedelta(minutes=16)))

    # then
    assert (soon, later) == ({}, {"failed": 1})
    assert inbox.messages == []


def test_a_request_erased_before_its_email_gets_none(ann, inbox):
    # given: the sign-up applied, then Ann's data erased before the worker sent
    sign_up()
    drain()
    seed(
        E.CUSTOMER_DELETED,
        "user:42:deleted",
        days=0,
        user_id="42",
        email=ANN,
        channel="",
    )

    # when
    outcome = dict(send_pending())

    # then
    assert outcome == {"skipped": 1}
    assert inbox.messages == []


def test_an_erasure_forgets_the_addresss_window(mailed):
    # given: the window Ann's email opened
    assert OptInMailbox.objects.count() == 1

    # when: her account is deleted
    seed(
        E.CUSTOMER_DELETED,
        "user:42:deleted",
        days=0,
        user_id="42",
        email=ANN,
        channel="",
    )

    # then: nothing keyed by her address is left; the link confirms nothing
    assert OptInMailbox.objects.count() == 0
    assert Client().post(mailed).status_code == 400
