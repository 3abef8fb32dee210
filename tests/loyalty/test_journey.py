"""Loyalty as the drain applies journey events: orders, refunds, reviews,
merges and erasures, each paid or taken back once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from example_store.purchases import link_guest_orders
from saleor_journey_plugin import tasks
from saleor_journey_plugin.core.erasure import erase_customer
from saleor_journey_plugin.core.events import EventType as E
from saleor_journey_plugin.core.events import JourneyEventData
from saleor_journey_plugin.core.identity import merge_into
from saleor_journey_plugin.core.processing import drain
from saleor_journey_plugin.core.recording import record_event
from saleor_journey_plugin.loyalty import ledger
from saleor_journey_plugin.loyalty.models import LedgerEntry, LoyaltyAccount
from saleor_journey_plugin.models import Customer

from .conftest import CHANNEL, ON, T0, entries, money

ANN = {"user_id": "7", "email": "ann@example.com"}
BOB = {"email": "bob@example.com"}

pytestmark = pytest.mark.django_db


def loyalty_on(settings, channel=CHANNEL, **fields):
    """Switch loyalty on in a channel of the example store (dashboard names)."""
    channels = dict(settings.JOURNEY_CHANNELS)
    channels[channel] = {
        **channels[channel],
        "loyalty": {"loyalty_enabled": "true", **fields},
    }
    settings.JOURNEY_CHANNELS = channels


@pytest.fixture
def enabled(settings):
    loyalty_on(settings)
    return settings


def record(event_type, key, *, minutes=0, channel=CHANNEL, payload=None, **who):
    return record_event(
        JourneyEventData(
            type=event_type,
            idempotency_key=key,
            occurred_at=T0 + timedelta(minutes=minutes),
            channel=channel,
            payload=payload or {},
            **who,
        )
    )


def paid(order_id, *, net="100.00", total="110.00", key=None, minutes=0, **who):
    payload = {"order_id": order_id, "total": total, "currency": "USD"}
    if net is not None:
        payload["net"] = net
    return record(
        E.ORDER_PAID,
        key or f"order:{order_id}:paid",
        minutes=minutes,
        payload=payload,
        **who,
    )


def customer(user_id=None, email=None) -> Customer:
    if user_id:
        return Customer.objects.get(user_id=user_id)
    return Customer.objects.get(email=email, user_id__isnull=True)


def test_a_paid_order_earns_on_its_net_total_once_however_often_delivered(enabled):
    # given: the hook fires five times, and a backfill records it under its own key
    for _ in range(5):
        paid("o1", **ANN)
    paid("o1", key="backfill:order:o1:paid", minutes=1, **ANN)

    # when
    drain()

    # then: 100 points on 100.00 net (110.00 gross), one entry
    ann = customer(user_id="7")
    assert entries(ann) == [("earn_order", 100, 100, 0)]
    entry = LedgerEntry.objects.get()
    assert (entry.idempotency_key, entry.occurred_at, entry.expires_at) == (
        f"earn_order:{CHANNEL}:o1",
        T0,
        T0 + timedelta(days=365),
    )
    assert ledger.balance(CHANNEL, ann.pk) == 100


def test_without_a_net_total_the_order_earns_on_its_total(enabled):
    # given: an adapter that reports only the gross total
    paid("o1", net=None, total="42.50", **BOB)

    # when
    drain()

    # then
    assert entries(customer(email="bob@example.com")) == [("earn_order", 42, 42, 0)]


def test_a_full_refund_takes_back_what_the_order_earned(enabled):
    # given
    paid("o1", net="80.00", total="88.00", **ANN)
    paid("o2", net="20.00", total="22.00", minutes=1, **ANN)
    drain()

    # when: o1 refunded (twice delivered)
    for _ in range(2):
        record(
            E.ORDER_REFUNDED,
            "order:o1:refunded",
            minutes=2,
            payload={"order_id": "o1", "total": "88.00", "currency": "USD"},
            **ANN,
        )
    record(
        E.ORDER_REFUNDED,
        "backfill:order:o1:refunded",
        minutes=3,
        payload={"order_id": "o1", "total": "88.00", "currency": "USD"},
        **ANN,
    )
    drain()

    # then
    ann = customer(user_id="7")
    assert entries(ann) == [
        ("earn_order", 80, 0, 0),
        ("earn_order", 20, 20, 0),
        ("reverse_refund", -80, 0, 0),
    ]
    assert ledger.balance(CHANNEL, ann.pk) == 20


def test_a_partial_refund_in_the_payload_takes_back_its_share(enabled):
    # given
    paid("o1", net="100.00", total="110.00", **ANN)
    drain()

    # when: 27.50 of 110.00 refunded so far: a quarter of 100 points
    record(
        E.ORDER_REFUNDED,
        "order:o1:refunded:27.50",
        minutes=1,
        payload={"order_id": "o1", "total": "110.00", "refunded": "27.50"},
        **ANN,
    )
    drain()

    # then
    assert entries(customer(user_id="7"))[-1] == ("reverse_refund", -25, 0, 0)


def test_a_verified_review_earns_once_per_product_and_an_unverified_one_nothing(
    enabled,
):
    # given: verified reviews of p1 (one resent with another id, one naming
    # it another way), an unverified one of p2, a verified one naming no
    # product bought, and one of p3
    def review(review_id, purchased, verified, minutes, product=None):
        record(
            E.REVIEW_SUBMITTED,
            f"review:{review_id}",
            minutes=minutes,
            payload={
                "review_id": review_id,
                "rating": 5,
                "verified": verified,
                "purchased_product": purchased,
                "product": purchased if product is None else product,
            },
            **ANN,
        )

    review("r1", "p1", True, 0)
    review("r2", "p1", True, 1)
    review("r7", "p1", True, 2, product="SKU-OF-P1")
    review("r3", "p2", False, 2)
    review("r4", "", True, 3, product="p4")
    review("r5", "p3", "true", 4)  # not the boolean true
    review("r6", "p3", True, 5)

    # when
    drain()

    # then
    assert list(
        LedgerEntry.objects.order_by("id").values_list("kind", "points", "review_id")
    ) == [("earn_review", 50, "r1"), ("earn_review", 50, "r6")]


def test_channels_with_loyalty_off_earn_nothing(enabled):
    # given: web-krw has loyalty off (its default)
    paid("o1", channel="web-krw", **ANN)

    # when
    drain()

    # then
    assert entries() == []


def test_a_guest_merged_into_an_account_brings_her_points(enabled):
    # given: Bob orders as a guest; an account (another address) orders too
    record(E.ORDER_PLACED, "order:g1:placed", payload={"order_id": "g1"}, **BOB)
    paid("g1", net="100.00", **BOB)
    paid("u1", net="30.00", minutes=1, user_id="8", email="robert@example.com")
    drain()
    guest = customer(email="bob@example.com")

    # when: the account confirms Bob's address as its own and the store links
    # his guest order to it: the guest merges into it
    link_guest_orders("8", "bob@example.com")
    record(
        E.ACCOUNT_UPDATED,
        "user:8:email",
        minutes=2,
        channel="",
        user_id="8",
        email="bob@example.com",
    )
    drain()

    # then: one customer, both earnings, their sum as balance, nothing paid twice
    account = customer(user_id="8")
    assert not Customer.objects.filter(pk=guest.pk).exists()
    assert entries(account) == [("earn_order", 100, 100, 0), ("earn_order", 30, 30, 0)]
    assert list(LoyaltyAccount.objects.values_list("customer_id", "balance")) == [
        (account.pk, 130)
    ]


def test_loyalty_turned_on_later_pays_nothing_for_old_orders_when_a_merge_replays(
    settings,
):
    # given: a guest order while loyalty was off
    record(E.ORDER_PLACED, "order:g1:placed", payload={"order_id": "g1"}, **BOB)
    paid("g1", **BOB)
    paid("u1", minutes=1, user_id="8", email="robert@example.com")
    drain()
    loyalty_on(settings)

    # when: the merge hands the applied events back to the followers
    link_guest_orders("8", "bob@example.com")
    record(
        E.ACCOUNT_UPDATED,
        "user:8:email",
        minutes=2,
        channel="",
        user_id="8",
        email="bob@example.com",
    )
    drain()

    # then
    assert entries() == []


def test_a_merge_moves_review_rewards_so_a_product_still_pays_once(db):
    # given: the guest reviewed p1 and p2; the account reviewed p1 and bought
    guest = Customer.objects.create(email="bob@example.com")
    account = Customer.objects.create(user_id="8", email="robert@example.com")
    ledger.earn_for_review(CHANNEL, guest.pk, "p1", "r1", ON, T0)
    ledger.earn_for_review(CHANNEL, guest.pk, "p2", "r2", ON, T0)
    ledger.earn_for_review(CHANNEL, account.pk, "p1", "r3", ON, T0)
    ledger.earn_for_order(CHANNEL, account.pk, "o1", money("12"), ON, T0)

    # when
    merge_into(guest, account)
    again = [
        ledger.earn_for_review(CHANNEL, account.pk, product, "r9", ON, T0)
        for product in ("p1", "p2")
    ]

    # then: the account's own p1 reward, the guest's p1 and p2 (both paid
    # before the merge), and no new reward for p1 or p2
    assert [entry.review_id for entry in again] == ["r3", "r2"]
    assert ledger.balance(CHANNEL, account.pk) == 50 * 3 + 12
    assert LedgerEntry.objects.filter(customer=account).count() == 4
    assert LoyaltyAccount.objects.count() == 1


def test_erasure_unlinks_the_entries_and_keeps_their_amounts(enabled):
    # given
    paid("o1", net="60.00", **ANN)
    drain()
    ann = customer(user_id="7")
    ledger.adjust(CHANNEL, ann.pk, 5, "sorry, Ann Smith", "staff-1", "k1")

    # when: the account is deleted
    record(E.CUSTOMER_DELETED, "user:7:deleted", minutes=5, channel="", **ANN)
    drain()

    # then
    assert list(
        LedgerEntry.objects.order_by("id").values_list("customer", "points", "reason")
    ) == [(None, 60, ""), (None, 5, "")]
    assert LoyaltyAccount.objects.count() == 0


def test_erase_customer_forgets_the_ledgers_link_directly(db):
    # given
    ann = Customer.objects.create(user_id="7", email="ann@example.com")
    ledger.earn_for_order(CHANNEL, ann.pk, "o1", money("10"), ON, T0)

    # when
    erased = erase_customer(user_id="7", email="ann@example.com")

    # then
    assert erased == 1
    assert list(LedgerEntry.objects.values_list("customer", "points", "amount")) == [
        (None, 10, money("10"))
    ]


def test_the_daily_task_expires_due_points_and_is_on_the_beat_schedule(db):
    # given: points earned more than a year ago
    ann = Customer.objects.create(user_id="7", email="ann@example.com")
    long_ago = timezone.now() - timedelta(days=400)
    ledger.earn_for_order(CHANNEL, ann.pk, "o1", money("10"), ON, long_ago)

    # when
    expired = tasks.expire_loyalty_points()

    # then
    assert expired == 1
    assert ledger.balance(CHANNEL, ann.pk) == 0
    entry = tasks.BEAT_SCHEDULE["journey-expire-loyalty-points"]
    assert (entry["task"], entry["schedule"]) == (
        "saleor_journey_plugin.expire_loyalty_points",
        timedelta(days=1),
    )
