"""Whose history is whose, in a real Saleor: an address typed into a checkout
claims nobody; Saleor linking a guest's orders to an account joins them."""

from decimal import ROUND_FLOOR

import graphene
import pytest
from saleor.core.tokens import account_confirm_token_generator
from saleor.graphql.tests.utils import get_graphql_content
from saleor.site import AccountConfirmMode

from saleor_journey_plugin.core.processing import drain
from saleor_journey_plugin.loyalty.models import LoyaltyAccount
from saleor_journey_plugin.models import Customer

GUEST = "ann.guest@example.com"
EMAIL_UPDATE = """
mutation($id: ID, $email: String!) {
  checkoutEmailUpdate(id: $id, email: $email) { errors { field message } }
}
"""
CUSTOMER_UPDATE = """
mutation($id: ID!, $email: String!) {
  customerUpdate(id: $id, input: {email: $email}) { errors { field message } }
}
"""
CONFIRM_ACCOUNT = """
mutation($email: String!, $token: String!, $password: String) {
  confirmAccount(email: $email, token: $token, password: $password) {
    errors { field message }
  }
}
"""
MINE = """
{
  myLoyalty { balance }
  myJourney { stage paidOrders touchpoints { eventType } }
}
"""
BY_EMAIL = """
query($email: String) { customerJourney(email: $email) { customer { userId email } } }
"""


@pytest.fixture
def loyalty(journey_config, channel_USD):
    return journey_config(channel_USD, loyalty_enabled=True)


@pytest.fixture
def guest_bought(loyalty, api_client, ready_checkout, complete_checkout):
    """A guest's paid order; the points it earned."""
    _, order = complete_checkout(api_client, ready_checkout(email=GUEST))
    drain()
    return int(order.total_net_amount.to_integral_value(rounding=ROUND_FLOOR))


def _mine(journey_api, channel, user, access_token):
    response = journey_api(channel.slug, MINE, token=access_token(user))
    return response.json()["data"]


def _gid(obj):
    return graphene.Node.to_global_id(type(obj).__name__, obj.pk)


def test_a_signed_in_checkout_naming_a_guests_email_gets_none_of_her_history(
    guest_bought,
    channel_USD,
    customer_user,
    user_api_client,
    staff_user,
    permission_manage_users,
    ready_checkout,
    journey_api,
    access_token,
):
    # given: the guest's points; a customer's own checkout
    checkout = ready_checkout(user=customer_user)

    # when: the customer puts the guest's address on it, as Saleor allows
    response = user_api_client.post_graphql(
        EMAIL_UPDATE, {"id": _gid(checkout), "email": GUEST}
    )
    assert get_graphql_content(response)["data"]["checkoutEmailUpdate"]["errors"] == []
    drain()

    # then: the customer sees their own checkout only, and no points
    assert _mine(journey_api, channel_USD, customer_user, access_token) == {
        "myLoyalty": {"balance": 0},
        "myJourney": {
            "stage": "CONSIDERATION",
            "paidOrders": 0,
            "touchpoints": [
                {"eventType": "DELIVERY_METHOD_CHOSEN"},
                {"eventType": "CHECKOUT_DETAILS_ADDED"},
                {"eventType": "CHECKOUT_STARTED"},
                {"eventType": "ACCOUNT_CREATED"},
            ],
        },
    }
    # and the guest keeps her points; staff find her by her address
    guest = Customer.objects.get(email=GUEST)
    assert guest.user_id is None
    assert list(LoyaltyAccount.objects.values_list("customer_id", "balance")) == [
        (guest.pk, guest_bought)
    ]
    staff_user.user_permissions.add(permission_manage_users)
    found = journey_api(
        channel_USD.slug, BY_EMAIL, {"email": GUEST}, token=access_token(staff_user)
    )
    assert found.json()["data"]["customerJourney"]["customer"] == {
        "userId": None,
        "email": GUEST,
    }


def test_staff_changing_an_accounts_email_joins_the_guest_saleor_links(
    guest_bought,
    channel_USD,
    customer_user,
    staff_api_client,
    permission_manage_users,
    journey_api,
    access_token,
):
    # when: staff give the customer the guest's address (Saleor links her order)
    staff_api_client.user.user_permissions.add(permission_manage_users)
    response = staff_api_client.post_graphql(
        CUSTOMER_UPDATE, {"id": _gid(customer_user), "email": GUEST}
    )
    assert get_graphql_content(response)["data"]["customerUpdate"]["errors"] == []
    drain()

    # then: one customer, the account, with the guest's order and points
    customer_user.refresh_from_db()
    assert list(Customer.objects.values_list("user_id", "email")) == [
        (str(customer_user.pk), GUEST)
    ]
    mine = _mine(journey_api, channel_USD, customer_user, access_token)
    assert mine["myLoyalty"] == {"balance": guest_bought}
    assert (mine["myJourney"]["stage"], mine["myJourney"]["paidOrders"]) == (
        "PURCHASE",
        1,
    )


@pytest.mark.parametrize(
    ("mode", "joins"),
    [
        (AccountConfirmMode.REQUIRE_PASSWORD, True),
        (AccountConfirmMode.MERGE_DISABLED, False),
    ],
)
def test_confirming_an_account_joins_the_guest_when_saleor_links_her_orders(
    mode,
    joins,
    guest_bought,
    channel_USD,
    customer_user,
    api_client,
    site_settings,
    journey_api,
    access_token,
):
    # given: an unconfirmed account registered with the guest's address
    site_settings.account_confirm_merge_mode = mode
    site_settings.save(update_fields=["account_confirm_merge_mode"])
    customer_user.email = GUEST
    customer_user.is_confirmed = False
    customer_user.save(update_fields=["email", "is_confirmed"])

    # when: its owner confirms it
    response = api_client.post_graphql(
        CONFIRM_ACCOUNT,
        {
            "email": GUEST,
            "token": account_confirm_token_generator.make_token(customer_user),
            "password": "password",
        },
    )
    assert get_graphql_content(response)["data"]["confirmAccount"]["errors"] == []
    drain()

    # then: the guest joins the account only where Saleor linked her order
    mine = _mine(journey_api, channel_USD, customer_user, access_token)
    assert mine["myLoyalty"] == {"balance": guest_bought if joins else 0}
    owners = set(Customer.objects.values_list("user_id", flat=True))
    assert owners == (
        {str(customer_user.pk)} if joins else {str(customer_user.pk), None}
    )
