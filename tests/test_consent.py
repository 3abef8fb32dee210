"""Double opt-in: an anonymous sign-up counts once its owner follows the signed link."""

from datetime import timedelta

import pytest

from saleor_journey_plugin import service
from saleor_journey_plugin.core import consent
from saleor_journey_plugin.core.consent import (
    InvalidConfirmation,
    confirmation_token,
    confirmed_opt_in,
)
from saleor_journey_plugin.core.events import EventType as E
from saleor_journey_plugin.core.events import JourneyEventData
from saleor_journey_plugin.core.processing import drain
from saleor_journey_plugin.core.recording import record_event
from saleor_journey_plugin.models import JourneyEvent

VISITOR = "7a1b2c3d-someone"


@pytest.fixture
def request_for_ann(store):
    """Ann has an account; a visitor asked to subscribe her address."""
    store.event(
        E.ACCOUNT_CREATED,
        "user:42:created",
        user_id="42",
        email="ann@example.com",
        channel="",
    )
    store.event(E.VISIT, "visit:1", user_id="42", email="ann@example.com")
    # as trackJourneyEvent records an anonymous opt-in: on the visitor
    request = record_event(
        JourneyEventData(
            type=E.NEWSLETTER_OPT_IN_REQUESTED,
            idempotency_key=f"track:web-usd:visitor:{VISITOR}:form-1",
            occurred_at=store.clock,
            channel="web-usd",
            email="ann@example.com",
            visitor_id=VISITOR,
        )
    )
    drain()
    assert JourneyEvent.objects.get(pk=request).customer.visitor_id == VISITOR
    return request


def opt_ins():
    return list(
        JourneyEvent.objects.filter(type="NEWSLETTER_OPT_IN").values_list(
            "customer__user_id", "channel", "touch_channel"
        )
    )


def test_following_the_link_opts_in_the_addresss_owner_once(request_for_ann):
    # given
    token = confirmation_token(request_for_ann)

    # when: she follows the link, twice
    first = service.record_and_wake(confirmed_opt_in(token))
    second = service.record_and_wake(confirmed_opt_in(token))
    drain()

    # then: one opt-in, on her account, from the email channel
    assert first is not None
    assert second is None
    assert opt_ins() == [("42", "web-usd", "EMAIL")]


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(
            lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"), id="tampered"
        ),
        pytest.param(lambda token: "forged:" + token.split(":", 1)[1], id="forged"),
        pytest.param(lambda token: "", id="empty"),
    ],
)
def test_a_forged_or_tampered_link_opts_in_nobody(request_for_ann, tamper):
    # given
    token = tamper(confirmation_token(request_for_ann))

    # when / then
    with pytest.raises(InvalidConfirmation):
        confirmed_opt_in(token)
    assert opt_ins() == []


def test_an_expired_link_opts_in_nobody(request_for_ann, monkeypatch):
    # given: links that lived no time at all
    token = confirmation_token(request_for_ann)
    monkeypatch.setattr(consent, "VALID_FOR", timedelta(seconds=-1))

    # when / then
    with pytest.raises(InvalidConfirmation, match="Signature age"):
        confirmed_opt_in(token)


def test_a_link_for_another_kind_of_event_is_refused(request_for_ann):
    # given: a token naming the visit
    visit = JourneyEvent.objects.get(type="VISIT").pk

    # when / then
    with pytest.raises(InvalidConfirmation, match="no longer exists"):
        confirmed_opt_in(confirmation_token(visit))


def test_deleting_the_account_blanks_its_address_in_a_visitors_request(
    request_for_ann, store
):
    # given: Ann deletes her account; the request is the visitor's, but the
    # address it names is Ann's
    store.event(
        E.CUSTOMER_DELETED,
        "user:42:deleted",
        user_id="42",
        email="ann@example.com",
        channel="",
    )

    # then: the request keeps no address, so its link confirms nothing
    assert (
        JourneyEvent.objects.filter(pk=request_for_ann).values_list("email", flat=True)
    ).get() == ""
    with pytest.raises(InvalidConfirmation):
        confirmed_opt_in(confirmation_token(request_for_ann))
