"""Who owns a history: an email typed into a checkout claims nobody's.

A signed-in customer may put any address on a checkout (Saleor's
``checkoutEmailUpdate`` allows it). A guest's history joins an account only
when the store links the guest's orders to that account and says so with an
account fact; staff lookups by email answer the account whose own email it is.
"""

import json
from datetime import timedelta
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from example_store.host import issue_token
from example_store.purchases import link_guest_orders
from saleor_journey_plugin.core.events import EventType as E
from saleor_journey_plugin.core.events import JourneyEventData
from saleor_journey_plugin.core.processing import drain
from saleor_journey_plugin.core.recording import record_event
from saleor_journey_plugin.loyalty.models import LedgerEntry, LoyaltyAccount
from saleor_journey_plugin.models import Customer, JourneyEvent

from .graphql.api import CUSTOMER_JOURNEY, STAFF, graphql
from .loyalty.conftest import CHANNEL, loyalty_on

pytestmark = pytest.mark.django_db

ANN = "ann@example.com"
MAL = {"user_id": "10", "email": "mal@example.com"}
VICTIM = {"user_id": "5", "email": "vic@example.com"}
MY_STANDING = """
{
  myLoyalty { balance }
  myJourney { stage paidOrders touchpoints { eventType } }
}
"""
REDEEM = """
mutation { redeemLoyaltyPoints(points: 100) { code errors { code } } }
"""
ADJUST = """
mutation($email: String) {
  adjustLoyaltyPoints(email: $email, points: 50, reason: "goodwill") {
    balance errors { code }
  }
}
"""
EXPORT = "query($email: String) { customerDataExport(email: $email) }"


def event(event_type, key, *, minutes=0, channel=CHANNEL, payload=None, **who):
    record_event(
        JourneyEventData(
            type=event_type,
            idempotency_key=key,
            occurred_at=timezone.now() - timedelta(days=1) + timedelta(minutes=minutes),
            channel=channel,
            payload=payload or {},
            **who,
        )
    )


def paid_order(order_id, net, *, minutes=0, **who):
    money = {"order_id": order_id, "total": net, "net": net, "currency": "USD"}
    event(
        E.ORDER_PLACED,
        f"order:{order_id}:placed",
        minutes=minutes,
        payload=money,
        **who,
    )
    event(E.ORDER_PAID, f"order:{order_id}:paid", minutes=minutes, payload=money, **who)


def account(user, *, minutes=0):
    event(
        E.ACCOUNT_CREATED,
        f"user:{user['user_id']}:created",
        channel="",
        minutes=minutes,
        **user,
    )


def names_email_on_checkout(user, email, *, minutes):
    """What the Saleor hooks record for a signed-in checkout with ``email`` on it."""
    event(
        E.CHECKOUT_STARTED,
        f"checkout:c-{user['user_id']}:started",
        minutes=minutes,
        payload={"checkout": f"c-{user['user_id']}"},
        user_id=user["user_id"],
        email=email,
    )


@pytest.fixture
def loyalty(settings):
    loyalty_on(settings)


def test_a_checkout_naming_a_guests_email_takes_none_of_her_history(loyalty, client):
    # given: Ann bought as a guest (300 points); Mal has an account
    paid_order("g1", "300.00", **{"email": ANN})
    account(MAL, minutes=1)
    drain()

    # when: Mal puts Ann's address on his checkout
    names_email_on_checkout(MAL, ANN, minutes=2)
    drain()

    # then: Mal sees only his own account and checkout; nothing to redeem
    mine = graphql(client, MY_STANDING, token=issue_token(**MAL)).json()["data"]
    assert mine == {
        "myLoyalty": {"balance": 0},
        "myJourney": {
            "stage": "INTEREST",
            "paidOrders": 0,
            "touchpoints": [
                {"eventType": "CHECKOUT_STARTED"},
                {"eventType": "ACCOUNT_CREATED"},
            ],
        },
    }
    redeemed = graphql(client, REDEEM, token=issue_token(**MAL)).json()["data"]
    assert redeemed["redeemLoyaltyPoints"]["code"] is None
    # and Ann is still her own guest, with her points, under her own address
    assert set(Customer.objects.values_list("user_id", "email")) == {
        ("10", "mal@example.com"),
        (None, ANN),
    }
    found = graphql(
        client, CUSTOMER_JOURNEY, {"email": ANN}, token=issue_token(**STAFF)
    )
    assert found.json()["data"]["customerJourney"]["customer"] == {
        "userId": None,
        "email": ANN,
    }
    guest = Customer.objects.get(email=ANN, user_id=None)
    assert list(LoyaltyAccount.objects.values_list("customer_id", "balance")) == [
        (guest.pk, 300)
    ]


def test_staff_lookups_by_a_registered_customers_email_answer_her_account(
    loyalty, client
):
    # given: Vic's account, and Mal's (user id "10" sorts before "5" as text)
    # whose checkout names Vic's address
    account(VICTIM)
    account(MAL, minutes=1)
    drain()
    names_email_on_checkout(MAL, VICTIM["email"], minutes=2)
    drain()
    # Adding points also takes MANAGE_DISCOUNTS.
    staff = issue_token(permissions=["MANAGE_USERS", "MANAGE_DISCOUNTS"])

    # when
    journey = graphql(client, CUSTOMER_JOURNEY, VICTIM, token=staff).json()
    adjusted = graphql(client, ADJUST, VICTIM, token=staff).json()
    exported = graphql(client, EXPORT, VICTIM, token=staff).json()

    # then: every answer is Vic's account
    assert journey["data"]["customerJourney"]["customer"] == {
        "userId": "5",
        "email": "vic@example.com",
    }
    assert adjusted["data"]["adjustLoyaltyPoints"] == {"balance": 50, "errors": []}
    vic = Customer.objects.get(user_id="5")
    assert list(LedgerEntry.objects.values_list("customer_id", "points")) == [
        (vic.pk, 50)
    ]
    customer = json.loads(exported["data"]["customerDataExport"])["customer"]
    assert (customer["user_id"], customer["email"]) == ("5", "vic@example.com")


def test_a_customer_deleting_her_account_erases_nobody_who_used_her_address(
    loyalty, client
):
    # given: Mal's checkout named Vic's address; Mal has points
    account(VICTIM)
    account(MAL, minutes=1)
    paid_order("m1", "200.00", minutes=2, **MAL)
    drain()
    names_email_on_checkout(MAL, VICTIM["email"], minutes=3)
    drain()
    mal = Customer.objects.get(user_id="10")

    # when: Vic deletes her account
    event(E.CUSTOMER_DELETED, "user:5:deleted", channel="", minutes=4, **VICTIM)
    drain()

    # then: only Vic went; Mal's journey, events and points are his
    assert list(Customer.objects.values_list("pk", "user_id", "email")) == [
        (mal.pk, "10", "mal@example.com")
    ]
    assert JourneyEvent.objects.filter(customer=mal).count() == 4
    assert list(LoyaltyAccount.objects.values_list("customer_id", "balance")) == [
        (mal.pk, 200)
    ]


KATE = "kate@example.com"
KELVIN_KATE = "\u212aate@example.com"  # a Kelvin sign, not a K


def test_a_look_alike_address_is_not_folded_onto_another_customers(client):
    # given: Kate bought as a guest
    paid_order("k1", "10.00", email=KATE)

    # when: an order names her address with a Kelvin sign for its K
    paid_order("k2", "20.00", minutes=1, email=KELVIN_KATE)
    drain()

    # then: two guests; Kate's journey has her one order
    assert sorted(Customer.objects.values_list("email", flat=True)) == [
        KATE,
        KELVIN_KATE,
    ]
    kate = graphql(
        client, CUSTOMER_JOURNEY, {"email": KATE}, token=issue_token(**STAFF)
    ).json()["data"]["customerJourney"]
    assert kate["paidOrders"] == 1
    # and staff cannot name the look-alike: Saleor would never store it
    refused = graphql(
        client, CUSTOMER_JOURNEY, {"email": KELVIN_KATE}, token=issue_token(**STAFF)
    ).json()
    assert refused["data"]["customerJourney"] is None
    assert refused["errors"][0]["message"] == "'email' is not a valid email address."


ERASE_GUEST = """
mutation($email: String!) { eraseGuestData(email: $email) { erased } }
"""


def test_staff_erase_a_guest_by_email_and_no_account_with_it(loyalty, client):
    # given: Ann's guest orders, and an account whose own address is Ann's
    # (she registered later, unconfirmed: nothing of the guest joined it)
    paid_order("g1", "300.00", email=ANN)
    account({"user_id": "3", "email": ANN}, minutes=1)
    drain()
    guest = Customer.objects.get(user_id=None)

    # when
    done = graphql(client, ERASE_GUEST, {"email": ANN}, token=issue_token(**STAFF))

    # then: the guest, her journey and points are gone; her events stay
    # without her; the account is untouched
    assert done.json()["data"]["eraseGuestData"] == {"erased": True}
    assert list(Customer.objects.values_list("user_id", "email")) == [("3", ANN)]
    assert not LoyaltyAccount.objects.filter(customer=guest.pk).exists()
    assert list(
        JourneyEvent.objects.filter(customer=None).values_list("type", "email")
    ) == [("ORDER_PLACED", ""), ("ORDER_PAID", "")]


def confirmed(user, *, minutes):
    """The store's account fact once its owner confirmed the address."""
    event(
        E.ACCOUNT_UPDATED,
        f"user:{user['user_id']}:updated:{minutes}",
        channel="",
        minutes=minutes,
        **user,
    )


def test_a_guest_joins_the_account_the_store_links_her_orders_to(loyalty, client):
    # given: Ann's guest order; she registers (unconfirmed: nothing linked)
    ann = {"user_id": "3", "email": ANN}
    paid_order("g1", "300.00", email=ANN)
    account(ann, minutes=1)
    confirmed(ann, minutes=2)
    drain()
    assert Customer.objects.count() == 2

    # when: she confirms; the store links her guest order to the account
    assert link_guest_orders("3", ANN) == 1
    confirmed(ann, minutes=4)
    drain()

    # then: one customer, with the guest's history and points
    mine = graphql(client, MY_STANDING, token=issue_token(**ann)).json()["data"]
    assert mine == {
        "myLoyalty": {"balance": 300},
        "myJourney": {
            "stage": "PURCHASE",
            "paidOrders": 1,
            "touchpoints": [
                {"eventType": "ACCOUNT_UPDATED"},
                {"eventType": "ACCOUNT_UPDATED"},
                {"eventType": "ACCOUNT_CREATED"},
                {"eventType": "ORDER_PAID"},
                {"eventType": "ORDER_PLACED"},
            ],
        },
    }
    assert list(Customer.objects.values_list("user_id", "email")) == [("3", ANN)]


def test_an_account_fact_moves_the_address_from_an_account_that_gave_it_up(client):
    # given: account 1 had the address; the store gave it to account 2 (1
    # changed address in a fact the plugin has not heard of yet)
    account({"user_id": "1", "email": ANN})
    drain()

    # when
    account({"user_id": "2", "email": ANN}, minutes=1)
    drain()

    # then: one account holds it; staff find that one
    assert sorted(Customer.objects.values_list("user_id", "email")) == [
        ("1", ""),
        ("2", ANN),
    ]
    found = graphql(
        client, CUSTOMER_JOURNEY, {"email": ANN}, token=issue_token(**STAFF)
    )
    assert found.json()["data"]["customerJourney"]["customer"]["userId"] == "2"


def test_the_erase_guest_command_erases_the_guest_only(capsys):
    # given
    paid_order("g1", "10.00", email=ANN)
    account({"user_id": "3", "email": "bo@example.com"}, minutes=1)
    names_email_on_checkout({"user_id": "3"}, ANN, minutes=2)
    drain()

    # when
    call_command("journey_erase_guest", " Ann@Example.com ")

    # then
    assert capsys.readouterr().out == "Erased the guest ann@example.com.\n"
    assert list(Customer.objects.values_list("user_id", "email")) == [
        ("3", "bo@example.com")
    ]
    with pytest.raises(CommandError, match="not an email address a store keeps"):
        call_command("journey_erase_guest", KELVIN_KATE)


def test_a_new_account_naming_a_guests_email_in_the_same_batch_takes_nothing(
    loyalty, client
):
    # given: Ann's guest order, then a new account whose first checkout names
    # her address, all waiting for one batch
    paid_order("g1", "300.00", email=ANN)
    names_email_on_checkout(MAL, ANN, minutes=1)

    # when
    drain()

    # then: the account has no address of its own yet and none of Ann's history
    assert set(Customer.objects.values_list("user_id", "email")) == {
        ("10", ""),
        (None, ANN),
    }
    mine = graphql(client, MY_STANDING, token=issue_token(**MAL)).json()["data"]
    assert mine == {
        "myLoyalty": {"balance": 0},
        "myJourney": {
            "stage": "INTEREST",
            "paidOrders": 0,
            "touchpoints": [{"eventType": "CHECKOUT_STARTED"}],
        },
    }


def test_the_upgrade_keeps_on_an_account_only_the_email_its_account_fact_gave():
    # given: accounts as an earlier version left them, renamed by checkouts
    account({"user_id": "1", "email": "own@example.com"})
    names_email_on_checkout({"user_id": "2"}, ANN, minutes=1)
    drain()
    Customer.objects.filter(user_id="1").update(email="typed@example.com")
    Customer.objects.filter(user_id="2").update(email=ANN)
    migration = import_module("saleor_journey_plugin.migrations.0023_account_email")

    # when
    migration.keep_account_facts_only(django_apps, None)

    # then
    assert sorted(Customer.objects.values_list("user_id", "email")) == [
        ("1", "own@example.com"),
        ("2", ""),
    ]


def test_an_account_fact_giving_a_free_address_is_applied_with_its_run(db):
    # given: Mal's checkouts come before the store's report of his account
    # (the benchmark's order too), in one batch with other shoppers' events
    names_email_on_checkout(MAL, "typed@example.com", minutes=0)
    for n in range(5):
        paid_order(f"o{n}", "10.00", minutes=n, email=f"shopper{n}@example.com")
    account(MAL, minutes=10)
    paid_order("o9", "10.00", minutes=11, email="shopper9@example.com")

    # when
    with CaptureQueriesContext(connection) as queries:
        drain()

    # then: Mal holds his own address (never the typed one), and the fact did
    # not end the run: one set-wise run, no customer applied alone
    assert Customer.objects.get(user_id="10").email == "mal@example.com"
    assert not any(
        "FOR UPDATE" in q["sql"] and "journey_customer" in q["sql"]
        for q in queries.captured_queries
    )
    assert JourneyEvent.objects.filter(processed_at__isnull=True).count() == 0


def test_an_account_fact_naming_a_guests_address_is_applied_alone_and_merges_nothing(
    db,
):
    # given: Ann's guest order, then an account registered with her address
    # (unconfirmed: the store linked none of her orders)
    paid_order("g1", "30.00", email=ANN)
    account({"user_id": "20", "email": ANN}, minutes=1)

    # when
    drain()

    # then: two customers, the guest keeping her order
    assert set(Customer.objects.values_list("user_id", "email")) == {
        ("20", ANN),
        (None, ANN),
    }
    guest = Customer.objects.get(user_id__isnull=True)
    assert list(
        JourneyEvent.objects.filter(customer=guest).values_list("type", flat=True)
    ) == ["ORDER_PLACED", "ORDER_PAID"]
