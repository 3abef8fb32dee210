"""Storefront tracking inside Saleor: anonymous calls never reach an account,
and a signed-in customer is rate limited per account."""

import time

from django.core.cache import cache

from saleor_journey_plugin.models import Customer, Journey, JourneyEvent

TRACK = """
mutation($input: JourneyTrackInput!) {
  trackJourneyEvent(input: $input) { recorded pendingConfirmation }
}
"""
ATTACKER = "5e0c7d2a-attacker"


def _track(journey_api, channel, token=None, **event):
    response = journey_api(channel.slug, TRACK, {"input": event}, token=token)
    assert response.status_code == 200
    return response.json()


def _stage_and_metadata(user, channel):
    user.refresh_from_db()
    journey = Journey.objects.get(customer__user_id=str(user.pk), channel=channel.slug)
    return journey.stage, journey.transitions.count(), user.metadata


def test_anonymous_tracking_with_a_customers_email_changes_neither_journey_nor_metadata(
    journey_active, channel_USD, customer_user, journey_api, access_token
):
    # given: the customer visited while signed in, so she is AWARENESS and tagged
    token = access_token(customer_user)
    assert _track(
        journey_api, channel_USD, token, eventType="VISIT", eventId="v-1"
    ) == {
        "data": {"trackJourneyEvent": {"recorded": True, "pendingConfirmation": False}}
    }
    before = _stage_and_metadata(customer_user, channel_USD)
    assert before == (
        "AWARENESS",
        1,
        {
            "key": "value",  # from Saleor's fixture
            "journey_stage": "awareness",
            f"journey_stage.{channel_USD.slug}": "awareness",
        },
    )

    # when: an anonymous caller names her email in a product view and an opt-in
    view = _track(
        journey_api,
        channel_USD,
        eventType="PRODUCT_VIEWED",
        eventId="x",
        visitorId=ATTACKER,
        email=customer_user.email,
        utmSource="attacker",
    )
    opt_in = _track(
        journey_api,
        channel_USD,
        eventType="NEWSLETTER_OPT_IN",
        eventId="y",
        visitorId=ATTACKER,
        email=customer_user.email,
    )

    # then: both are recorded on the attacker's visitor; her journey, consent
    # and Saleor metadata are as they were
    assert view["data"]["trackJourneyEvent"]["recorded"] is True
    assert opt_in["data"]["trackJourneyEvent"] == {
        "recorded": True,
        "pendingConfirmation": True,
    }
    assert _stage_and_metadata(customer_user, channel_USD) == before
    account = Customer.objects.get(user_id=str(customer_user.pk))
    assert not JourneyEvent.objects.filter(
        customer=account, type__in=["PRODUCT_VIEWED", "NEWSLETTER_OPT_IN"]
    ).exists()
    visitor = Customer.objects.get(visitor_id=ATTACKER)
    assert sorted(
        JourneyEvent.objects.filter(customer=visitor).values_list("type", flat=True)
    ) == [
        "NEWSLETTER_OPT_IN_REQUESTED",
        "PRODUCT_VIEWED",
    ]

    # when: she views a product herself (the control: the same event moves her)
    _track(journey_api, channel_USD, token, eventType="PRODUCT_VIEWED", eventId="p-1")

    # then
    stage, transitions, metadata = _stage_and_metadata(customer_user, channel_USD)
    assert (stage, transitions, metadata["journey_stage"]) == (
        "INTEREST",
        2,
        "interest",
    )


def test_a_signed_in_customer_is_limited_per_account_but_staff_and_apps_are_not(
    journey_active,
    channel_USD,
    customer_user,
    staff_user,
    app,
    permission_manage_users,
    journey_api,
    access_token,
    settings,
):
    # given: three calls a minute per account; staff and an app granted a
    # permission by the store
    settings.JOURNEY_CUSTOMER_CALLS_PER_MINUTE = 3
    cache.clear()
    if time.time() % 60 > 50:  # the calls below share one minute's count
        time.sleep(60 - time.time() % 60)
    customer = access_token(customer_user)
    staff_user.user_permissions.add(permission_manage_users)
    staff = access_token(staff_user)
    app.permissions.add(permission_manage_users)
    _, app_token = app.tokens.create(name="journey")

    # when: each calls four times
    answers = {
        name: [
            _track(
                journey_api,
                channel_USD,
                token,
                eventType="VISIT",
                eventId=f"{name}-{n}",
                **({"visitorId": "5e0c7d2a-app-visitor"} if name == "app" else {}),
            )["data"]["trackJourneyEvent"]
            is not None
            for n in range(4)
        ]
        for name, token in (
            ("customer", customer),
            ("staff", staff),
            ("app", app_token),
        )
    }

    # then: only the customer's fourth call is refused, and it recorded nothing
    assert answers == {
        "customer": [True, True, True, False],
        "staff": [True] * 4,
        "app": [True] * 4,
    }
    visits = JourneyEvent.objects.filter(type="VISIT")
    assert [
        visits.filter(user_id=str(customer_user.pk)).count(),
        visits.filter(user_id=str(staff_user.pk)).count(),
        visits.filter(visitor_id="5e0c7d2a-app-visitor").count(),
    ] == [3, 4, 4]
    cache.clear()
