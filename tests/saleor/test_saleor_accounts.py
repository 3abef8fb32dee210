"""Accounts created and deleted through Saleor's mutations."""

from decimal import Decimal

import graphene
from django.test import override_settings
from saleor.account.models import User
from saleor.core.tokens import password_reset_token_generator
from saleor.graphql.tests.utils import get_graphql_content

from saleor_journey_plugin.core.processing import drain
from saleor_journey_plugin.core.recording import stored_key
from saleor_journey_plugin.models import (
    Customer,
    Journey,
    JourneyEvent,
    StageTransition,
)

ACCOUNT_REGISTER = """
mutation Register($input: AccountRegisterInput!) {
  accountRegister(input: $input) { errors { field code message } }
}
"""

CUSTOMER_CREATE = """
mutation Create($input: UserCreateInput!) {
  customerCreate(input: $input) { user { id email } errors { field code message } }
}
"""

CUSTOMER_DELETE = """
mutation Delete($id: ID) {
  customerDelete(id: $id) { user { id } errors { field code message } }
}
"""


def _journeys(user):
    return sorted(
        Journey.objects.filter(customer__user_id=str(user.pk)).values_list(
            "channel", "stage"
        )
    )


def _events(user):
    return sorted(
        (event.type, event.processed_at is not None)
        for event in JourneyEvent.objects.filter(user_id=str(user.pk))
    )


TRACK = """
mutation Track($input: JourneyTrackInput!) {
  trackJourneyEvent(input: $input) { recorded }
}
"""


def _history(user, channel):
    return list(
        StageTransition.objects.filter(
            journey__customer__user_id=str(user.pk), journey__channel=channel.slug
        )
        .order_by("occurred_at", "id")
        .values_list("from_stage", "to_stage", "event__type")
    )


MY_STAGE = "query { myJourney { stage stageLabel } }"


@override_settings(ENABLE_ACCOUNT_CONFIRMATION_BY_EMAIL=False)
def test_account_register_enters_the_funnel_of_channels_that_count_new_accounts(
    journey_config,
    channel_USD,
    channel_PLN,
    channel_JPY,
    api_client,
    site_settings,
    journey_api,
    access_token,
):
    # given the plugin active in USD (counting new accounts, the default) and
    # PLN (keeping to its own shoppers), inactive in JPY; sign-up without
    # e-mail confirmation
    journey_config(channel_USD)
    journey_config(channel_PLN, count_new_accounts=False)
    journey_config(channel_JPY, active=False)
    site_settings.enable_account_confirmation_by_email = False
    site_settings.save(update_fields=["enable_account_confirmation_by_email"])

    # when a visitor registers (Saleor fires customer_created from the Celery
    # task finish_creating_user, eager in tests, with no channel loaded)
    response = api_client.post_graphql(
        ACCOUNT_REGISTER,
        {"input": {"email": "New.Customer@example.com", "password": "Password"}},
    )

    # then one ACCOUNT_CREATED fact (hook and signal deduplicated) puts the new
    # customer at AWARENESS in USD only, and tags the Saleor user
    assert get_graphql_content(response)["data"]["accountRegister"]["errors"] == []
    user = User.objects.get(email="new.customer@example.com")
    assert _events(user) == [("ACCOUNT_CREATED", True)]
    assert Customer.objects.get(user_id=str(user.pk)).email == (
        "new.customer@example.com"
    )
    assert _journeys(user) == [(channel_USD.slug, "AWARENESS")]
    token = access_token(user)
    assert journey_api(channel_USD.slug, MY_STAGE, token=token).json() == {
        "data": {"myJourney": {"stage": "AWARENESS", "stageLabel": "Awareness"}}
    }
    assert journey_api(channel_PLN.slug, MY_STAGE, token=token).json() == {
        "data": {"myJourney": None}
    }
    user.refresh_from_db()
    assert user.metadata == {
        "journey_stage": "awareness",
        f"journey_stage.{channel_USD.slug}": "awareness",
    }

    # when the new customer, signed in, views a product in channel_PLN
    tracked = journey_api(
        channel_PLN.slug,
        TRACK,
        {
            "input": {
                "eventType": "PRODUCT_VIEWED",
                "eventId": "view-1",
                "productId": "P1",
            }
        },
        token=token,
    )

    # then their PLN journey starts with the account creation; JPY has none
    assert tracked.json() == {"data": {"trackJourneyEvent": {"recorded": True}}}
    assert _journeys(user) == [
        (channel_PLN.slug, "INTEREST"),
        (channel_USD.slug, "AWARENESS"),
    ]
    assert _history(user, channel_PLN) == [
        (None, "AWARENESS", "ACCOUNT_CREATED"),
        ("AWARENESS", "INTEREST", "PRODUCT_VIEWED"),
    ]


def test_staff_customer_create_starts_awareness(
    journey_active,
    channel_USD,
    staff_api_client,
    permission_manage_users,
    journey_api,
    access_token,
):
    # given staff allowed to manage users, the plugin active in channel_USD
    staff_api_client.user.user_permissions.add(permission_manage_users)

    # when they create a customer (customer_created fires in the request)
    response = staff_api_client.post_graphql(
        CUSTOMER_CREATE,
        {
            "input": {
                "email": "created.by.staff@example.com",
                "channel": channel_USD.slug,
            }
        },
    )

    # then the account creation is recorded once and puts them at AWARENESS
    data = get_graphql_content(response)["data"]["customerCreate"]
    assert data["errors"] == []
    user = User.objects.get(email="created.by.staff@example.com")
    assert _events(user) == [("ACCOUNT_CREATED", True)]
    assert Customer.objects.filter(user_id=str(user.pk)).count() == 1
    assert _journeys(user) == [(channel_USD.slug, "AWARENESS")]
    assert _history(user, channel_USD) == [(None, "AWARENESS", "ACCOUNT_CREATED")]

    # when the customer's first visit in channel_USD is tracked
    journey_api(
        channel_USD.slug,
        TRACK,
        {"input": {"eventType": "VISIT", "eventId": "visit-1", "utmSource": "mail"}},
        token=access_token(user),
    )

    # then nothing moves: they were aware already
    assert _history(user, channel_USD) == [(None, "AWARENESS", "ACCOUNT_CREATED")]


def test_staff_customer_delete_erases_the_journey(
    journey_active,
    channel_USD,
    customer_user,
    user_api_client,
    staff_api_client,
    permission_manage_users,
    ready_checkout,
    complete_checkout,
):
    # given a customer with a journey (an order placed and paid)
    _, order = complete_checkout(user_api_client, ready_checkout(user=customer_user))
    user_id, email = str(customer_user.pk), customer_user.email
    assert _journeys(customer_user) == [(channel_USD.slug, "PURCHASE")]
    order_events = list(
        JourneyEvent.objects.filter(payload__order_id=str(order.pk)).values_list(
            "pk", flat=True
        )
    )
    assert len(order_events) == 2
    theirs = set(
        JourneyEvent.objects.filter(user_id=user_id).values_list("pk", flat=True)
    )
    assert len(theirs) == 3  # account created (fixture), order placed, order paid
    staff_api_client.user.user_permissions.add(permission_manage_users)

    # when staff delete the customer
    response = staff_api_client.post_graphql(
        CUSTOMER_DELETE, {"id": graphene.Node.to_global_id("User", customer_user.pk)}
    )

    # then the user is gone, and so are our customer, journeys and transitions
    assert get_graphql_content(response)["data"]["customerDelete"]["errors"] == []
    assert not User.objects.filter(pk=customer_user.pk).exists()
    assert not Customer.objects.filter(user_id=user_id).exists()
    assert not Customer.objects.filter(email=email).exists()
    assert not Journey.objects.exists()
    assert not StageTransition.objects.exists()

    # and the deletion was logged once and processed
    deleted = JourneyEvent.objects.get(type="CUSTOMER_DELETED")
    assert deleted.processed_at is not None
    assert deleted.idempotency_key == stored_key(f"user:{user_id}:deleted")

    # and no event names the customer any more, while order totals and the
    # store's order id are kept
    assert not JourneyEvent.objects.filter(user_id=user_id).exists()
    assert not JourneyEvent.objects.filter(email=email).exists()
    for event in JourneyEvent.objects.filter(pk__in=theirs):
        assert (event.user_id, event.email, event.customer_id) == ("", "", None)
    for event in JourneyEvent.objects.filter(pk__in=order_events):
        assert (event.user_id, event.email, event.customer_id) == ("", "", None)
        kept = {"total", "currency", "order_id", "checkout"}
        if event.type == "ORDER_PLACED":
            # and the discount codes it used (none): no person in them
            assert event.payload["coupons"] == []
            kept.add("coupons")
        assert set(event.payload) == kept
        assert event.payload["order_id"] == str(order.pk)
        assert event.payload["checkout"] == str(order.checkout_token)
        assert Decimal(event.payload["total"]) == order.total_gross_amount
        assert event.payload["currency"] == order.currency


ACCOUNT_DELETE = """
mutation Delete($token: String!) {
  accountDelete(token: $token) { errors { field message } }
}
"""


def test_customer_deleting_their_own_account_erases_the_journey(
    journey_active,
    channel_USD,
    customer_user,
    user_api_client,
    ready_checkout,
    complete_checkout,
):
    # given a customer with a journey
    from saleor.core.tokens import account_delete_token_generator

    complete_checkout(user_api_client, ready_checkout(user=customer_user))
    user_id = str(customer_user.pk)
    theirs = set(
        JourneyEvent.objects.filter(user_id=user_id).values_list("pk", flat=True)
    )
    assert Journey.objects.filter(customer__user_id=user_id).count() == 1

    # when they delete their account (Saleor fires account_deleted)
    response = user_api_client.post_graphql(
        ACCOUNT_DELETE,
        {"token": account_delete_token_generator.make_token(customer_user)},
    )

    # then their customer, journey and history are gone and their events anonymised
    assert get_graphql_content(response)["data"]["accountDelete"]["errors"] == []
    assert not User.objects.filter(pk=user_id).exists()
    assert not Customer.objects.exists()
    assert not Journey.objects.exists()
    assert not StageTransition.objects.exists()
    assert JourneyEvent.objects.filter(type="CUSTOMER_DELETED").count() == 1
    for event in JourneyEvent.objects.filter(pk__in=theirs):
        assert (event.user_id, event.email, event.customer_id) == ("", "", None)


SET_PASSWORD = """
mutation Set($email: String!, $token: String!, $password: String!) {
  setPassword(email: $email, token: $token, password: $password) {
    errors { field code message }
  }
}
"""


@override_settings(ENABLE_ACCOUNT_CONFIRMATION_BY_EMAIL=False)
def test_a_guest_who_registers_joins_her_history_once_saleor_links_her_orders(
    journey_active,
    channel_USD,
    api_client,
    site_settings,
    ready_checkout,
    complete_checkout,
    journey_api,
    access_token,
):
    # given a guest who bought with an email (Saleor links orders to an account
    # by the exact address, so she typed it in lower case)
    site_settings.enable_account_confirmation_by_email = False
    site_settings.save(update_fields=["enable_account_confirmation_by_email"])
    complete_checkout(api_client, ready_checkout(email="returning@example.com"))
    guest = Customer.objects.get(email="returning@example.com")
    assert guest.user_id is None

    # when they register an account with the same email, differently cased
    response = api_client.post_graphql(
        ACCOUNT_REGISTER,
        {"input": {"email": "returning@EXAMPLE.com", "password": "Password"}},
    )

    # then registering proves nothing (Saleor links no order): two customers
    assert get_graphql_content(response)["data"]["accountRegister"]["errors"] == []
    user = User.objects.get(email="returning@example.com")
    assert set(Customer.objects.values_list("user_id", "email")) == {
        (str(user.pk), "returning@example.com"),
        (None, "returning@example.com"),
    }

    # when they set a password from a reset link mailed to the address
    # (Saleor links the guest's orders then, and calls no plugin hook)
    response = api_client.post_graphql(
        SET_PASSWORD,
        {
            "email": "returning@example.com",
            "token": password_reset_token_generator.make_token(user),
            "password": "N3w-Password!",
        },
    )

    # then there is one customer, the account, with the guest's history
    assert get_graphql_content(response)["data"]["setPassword"]["errors"] == []
    drain()
    assert list(Customer.objects.values_list("user_id", "email")) == [
        (str(user.pk), "returning@example.com")
    ]
    assert _journeys(user) == [(channel_USD.slug, "PURCHASE")]
    mine = journey_api(
        channel_USD.slug,
        "query { myJourney { stage paidOrders"
        " history { toStage cause { eventType } } } }",
        token=access_token(user),
    )
    assert mine.json() == {
        "data": {
            "myJourney": {
                "stage": "PURCHASE",
                "paidOrders": 1,
                "history": [
                    {"toStage": "PURCHASE", "cause": {"eventType": "ORDER_PLACED"}}
                ],
            }
        }
    }
    user.refresh_from_db()
    assert user.metadata == {
        "journey_stage": "purchase",
        f"journey_stage.{channel_USD.slug}": "purchase",
    }


STAFF_CREATE = """
mutation Create($input: StaffCreateInput!) {
  staffCreate(input: $input) { user { id } errors { field code message } }
}
"""


def test_staff_accounts_are_not_customers(
    journey_active,
    channel_USD,
    staff_api_client,
    permission_manage_staff,
    journey_api,
    access_token,
):
    # given staff allowed to manage staff
    staff_api_client.user.user_permissions.add(permission_manage_staff)

    # when they create another staff member (Saleor fires staff_created, not
    # customer_created)
    response = staff_api_client.post_graphql(
        STAFF_CREATE, {"input": {"email": "new.staff@example.com"}}
    )

    # then the plugin does not start a customer for them
    assert get_graphql_content(response)["data"]["staffCreate"]["errors"] == []
    staff = User.objects.get(email="new.staff@example.com")
    assert staff.is_staff
    assert not JourneyEvent.objects.filter(user_id=str(staff.pk)).exists()
    assert not Customer.objects.filter(user_id=str(staff.pk)).exists()
