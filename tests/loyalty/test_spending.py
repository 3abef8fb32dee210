"""Refunds, redemptions, adjustments and expiry: never below zero, oldest first."""

from datetime import timedelta
from decimal import Decimal

import pytest

from saleor_journey_plugin.loyalty import ledger
from saleor_journey_plugin.loyalty.ledger import Code, LoyaltyError
from saleor_journey_plugin.loyalty.models import LedgerEntry

from .conftest import CHANNEL, ON, T0, account, credits_left, entries, money, with_


def code(value: Decimal) -> str:
    return f"CODE-{value}"


def test_refunds_after_spending_stop_at_zero_and_record_the_shortfall(ann):
    # given: a 300.00 order earned 300 points, 250 of them redeemed
    ledger.earn_for_order(CHANNEL, ann.pk, "o1", money("300.00"), ON, T0)
    ledger.redeem(CHANNEL, ann.pk, 250, ON, code, at=T0 + timedelta(days=1))

    # when: half the order is refunded, then all of it
    partial = ledger.reverse_for_refund(
        CHANNEL, ann.pk, "o1", money("150"), money("300.00"), "150", T0
    )
    full = ledger.reverse_for_refund(
        CHANNEL, ann.pk, "o1", money("300.00"), money("300.00"), "full", T0
    )

    # then: 150 asked, 50 taken; then the other 150 asked, none left to take
    assert (partial.points, partial.shortfall) == (-50, 100)
    assert (full.points, full.shortfall) == (0, 150)
    assert account(ann).balance == 0
    assert entries(ann) == [
        ("earn_order", 300, 0, 0),
        ("reverse_refund", -50, 0, 100),
        ("reverse_refund", 0, 0, 150),
        ("redeem", -250, 0, 0),
    ]


def test_partial_refunds_take_back_in_proportion_rounded_down_and_never_more(ann):
    # given: a 7.00 order earned 7 points; another order earned 20
    ledger.earn_for_order(CHANNEL, ann.pk, "o1", money("7.00"), ON, T0)
    ledger.earn_for_order(CHANNEL, ann.pk, "o2", money("20.00"), ON, T0)

    def refund(refunded_so_far, key):
        entry = ledger.reverse_for_refund(
            CHANNEL, ann.pk, "o1", money(refunded_so_far), money("7.00"), key, T0
        )
        return entry.points if entry else None

    # when / then: 3.50 of 7 refunded: 3.5 points, 3; 5.00: 5, 2 more; redelivered:
    # nothing; all of it: the last 2; a refund beyond the total: nothing
    assert refund("3.50", "3.50") == -3
    assert refund("5.00", "5.00") == -2
    assert refund("5.00", "5.00") == -2  # the stored entry, not a new one
    assert refund("7.00", "full") == -2
    assert refund("9.00", "9.00") is None
    reversed_o1 = sum(
        e.points for e in LedgerEntry.objects.filter(kind="reverse_refund")
    )
    assert reversed_o1 == -7
    # The reversals took o1's own points, not o2's older-or-equal ones.
    assert entries(ann)[:2] == [("earn_order", 7, 0, 0), ("earn_order", 20, 20, 0)]
    assert account(ann).balance == 20 == credits_left(ann)


def test_a_refund_before_the_order_earned_waits_for_the_earning(ann):
    # when: the refund is recorded (twice) before the order earns, then it earns
    first = ledger.reverse_for_refund(
        CHANNEL, ann.pk, "o9", money("5"), money("5"), "full", T0
    )
    again = ledger.reverse_for_refund(
        CHANNEL, ann.pk, "o9", money("5"), money("5"), "full", T0
    )
    ledger.earn_for_order(CHANNEL, ann.pk, "o9", money("5"), ON, T0)

    # then: the refund is kept with 0 points, and the earning takes back all
    assert first is not None and again == first
    assert (first.points, first.amount, first.order_total) == (0, 5, 5)
    assert entries() == [
        ("reverse_refund", 0, 0, 0),
        ("earn_order", 5, 0, 0),
        ("reverse_refund", -5, 0, 0),
    ]
    assert LedgerEntry.objects.filter(
        idempotency_key=f"reverse_refund:{CHANNEL}:o9:at_earning"
    ).exists()
    assert ledger.balance(CHANNEL, ann.pk) == 0


def test_points_expire_oldest_first_after_redemptions_took_the_oldest(ann):
    # given: three earnings, then 80 points redeemed
    for order_id, net, day in (("o1", "100", 0), ("o2", "200", 100), ("o3", "50", 200)):
        ledger.earn_for_order(
            CHANNEL, ann.pk, order_id, money(net), ON, T0 + timedelta(days=day)
        )
    ledger.redeem(
        CHANNEL,
        ann.pk,
        80,
        with_(min_redeem_points=1),
        code,
        at=T0 + timedelta(days=250),
    )

    # then: the redemption consumed the oldest earning first
    assert [e[2] for e in entries(ann) if e[0] == "earn_order"] == [20, 200, 50]
    assert ledger.expiring_within(CHANNEL, ann.pk, 30, T0 + timedelta(days=340)) == 20

    # when: the first earning's day comes (twice: the task may run again)
    first = ledger.expire_due(T0 + timedelta(days=365))
    again = ledger.expire_due(T0 + timedelta(days=365))

    # then: its 20 unspent points expire, once
    assert (first, again) == (1, 0)
    assert account(ann).balance == 250
    expired = LedgerEntry.objects.get(kind="expire")
    o1 = LedgerEntry.objects.get(order_id="o1", kind="earn_order")
    assert (expired.points, expired.idempotency_key) == (-20, f"expire:{o1.pk}")
    assert expired.occurred_at == T0 + timedelta(days=365)

    # when: a staff correction takes 150, then the second earning expires
    ledger.adjust(
        CHANNEL,
        ann.pk,
        -150,
        "double credit",
        "staff-1",
        "fix-1",
        at=T0 + timedelta(days=400),
    )
    ledger.expire_due(T0 + timedelta(days=465))

    # then: the correction took 150 of o2's 200; o2's last 50 expired; o3 is left
    assert [e[2] for e in entries(ann) if e[0] == "earn_order"] == [0, 0, 50]
    assert account(ann).balance == 50 == credits_left(ann)
    assert ledger.expiring_within(CHANNEL, ann.pk, 30, T0 + timedelta(days=540)) == 50


def test_points_never_expire_when_expiry_days_is_zero(ann):
    # given
    ledger.earn_for_order(
        CHANNEL, ann.pk, "o1", money("100"), with_(points_expire_days=0), T0
    )

    # when
    written = ledger.expire_all_due(T0 + timedelta(days=5000))

    # then
    assert written == 0
    assert account(ann).balance == 100


def test_expiry_runs_in_batches_until_nothing_is_due(ann, bob):
    # given: five earnings due
    for n in range(5):
        ledger.earn_for_order(CHANNEL, ann.pk, f"a{n}", money("10"), ON, T0)
    ledger.earn_for_order(CHANNEL, bob.pk, "b1", money("10"), ON, T0)

    # when: batches of two
    written = ledger.expire_all_due(T0 + timedelta(days=366), batch=2)

    # then
    assert written == 6
    assert (account(ann).balance, account(bob).balance) == (0, 0)


def test_adjust_needs_a_reason_and_cannot_go_below_zero(ann):
    # given
    ledger.adjust(CHANNEL, ann.pk, 40, "goodwill", "staff-1", "k1")

    # when / then
    with pytest.raises(LoyaltyError) as no_reason:
        ledger.adjust(CHANNEL, ann.pk, 10, "   ", "staff-1", "k2")
    with pytest.raises(LoyaltyError) as too_many:
        ledger.adjust(CHANNEL, ann.pk, -41, "correction", "staff-1", "k3")
    with pytest.raises(LoyaltyError) as zero:
        ledger.adjust(CHANNEL, ann.pk, 0, "nothing", "staff-1", "k4")
    taken = ledger.adjust(CHANNEL, ann.pk, -40, "correction", "staff-1", "k5")
    again = ledger.adjust(CHANNEL, ann.pk, -40, "correction", "staff-1", "k5")

    # then
    assert no_reason.value.code is Code.REASON_REQUIRED
    assert too_many.value.code is Code.NOT_ENOUGH_POINTS
    assert zero.value.code is Code.INVALID_POINTS
    assert again.pk == taken.pk
    assert (taken.reason, taken.staff_user_id) == ("correction", "staff-1")
    assert account(ann).balance == 0
    assert entries(ann) == [("adjust", 40, 0, 0), ("adjust", -40, 0, 0)]


def test_redeem_debits_and_creates_a_code_worth_points_times_point_value(ann):
    # given
    ledger.earn_for_order(CHANNEL, ann.pk, "o1", money("700"), ON, T0)

    # when
    made = ledger.redeem(CHANNEL, ann.pk, 550, ON, code)

    # then: 550 x 0.01
    assert made == "CODE-5.50"
    assert account(ann).balance == 150
    assert LedgerEntry.objects.get(kind="redeem").amount == Decimal("5.5")


@pytest.mark.parametrize(
    ("settings", "points", "expected"),
    [
        (with_(min_redeem_points=500), 499, Code.BELOW_MINIMUM),
        (with_(min_redeem_points=500), 0, Code.BELOW_MINIMUM),
        (with_(min_redeem_points=500), 801, Code.NOT_ENOUGH_POINTS),
        (with_(enabled=False), 500, Code.LOYALTY_DISABLED),
    ],
)
def test_a_refused_redemption_debits_nothing_and_makes_no_code(
    ann, settings, points, expected
):
    # given
    ledger.earn_for_order(CHANNEL, ann.pk, "o1", money("800"), ON, T0)
    made = []

    # when
    with pytest.raises(LoyaltyError) as refused:
        ledger.redeem(CHANNEL, ann.pk, points, settings, made.append)

    # then
    assert refused.value.code is expected
    assert made == []
    assert account(ann).balance == 800
    assert entries(ann) == [("earn_order", 800, 800, 0)]


def test_a_code_that_cannot_be_created_debits_nothing(ann):
    # given
    ledger.earn_for_order(CHANNEL, ann.pk, "o1", money("800"), ON, T0)

    def broken(value):
        raise RuntimeError("the store could not create the voucher")

    # when
    with pytest.raises(RuntimeError):
        ledger.redeem(CHANNEL, ann.pk, 500, ON, broken)

    # then
    assert account(ann).balance == 800
    assert entries(ann) == [("earn_order", 800, 800, 0)]
