"""Earning for paid orders and verified reviews, with tiers, exactly once."""

from datetime import timedelta

from saleor_journey_plugin.core.host import ChannelSettings, get_host
from saleor_journey_plugin.loyalty import ledger
from saleor_journey_plugin.loyalty.models import LedgerEntry

from .conftest import CHANNEL, ON, T0, account, entries, money, with_


def test_each_order_earns_per_whole_unit_times_the_tier_it_was_earned_in(ann):
    # given: Bronze x1, Silver (500) x1.25, Gold (1500) x1.5
    days = iter(range(100))

    def order(order_id, net):
        entry = ledger.earn_for_order(
            CHANNEL, ann.pk, order_id, money(net), ON, T0 + timedelta(days=next(days))
        )
        return entry.points, account(ann).tier

    # when / then: whole units only, the multiplier of the tier before the order
    assert order("o1", "120.99") == (120, "Bronze")
    assert order("o2", "400.50") == (400, "Silver")  # 520 earned: Silver after
    assert order("o3", "101.00") == (126, "Silver")  # 101 x 1.25 = 126.25
    assert order("o4", "1000.00") == (1250, "Gold")  # 1896 earned
    assert order("o5", "10.99") == (15, "Gold")
    assert account(ann).balance == 120 + 400 + 126 + 1250 + 15


def test_points_per_unit_multiply_before_the_tier(ann):
    # given: 3 points a unit, and Ann already Silver
    settings = with_(points_per_unit=3)
    ledger.adjust(CHANNEL, ann.pk, 10, "welcome", "staff-1", "k1", at=T0)
    ledger.earn_for_order(CHANNEL, ann.pk, "o1", money("200"), settings, T0)

    # when: 3 x 7 = 21 base points, x 1.25 = 26.25
    entry = ledger.earn_for_order(
        CHANNEL, ann.pk, "o2", money("7.80"), settings, T0 + timedelta(hours=1)
    )

    # then
    assert entry.points == 26
    assert account(ann).balance == 10 + 600 + 26


def test_an_order_earns_once_however_often_it_is_delivered(ann):
    # when: the same paid order five times (a retried hook, a backfill)
    for attempt in range(5):
        ledger.earn_for_order(
            CHANNEL, ann.pk, "o1", money("80.00"), ON, T0 + timedelta(minutes=attempt)
        )

    # then
    assert entries(ann) == [("earn_order", 80, 80, 0)]
    assert account(ann).balance == 80


def test_an_order_worth_less_than_one_unit_writes_nothing(ann):
    # when
    entry = ledger.earn_for_order(CHANNEL, ann.pk, "o1", money("0.99"), ON, T0)

    # then
    assert entry is None
    assert entries() == []


def test_tiers_change_exactly_at_their_thresholds_and_drop_out_of_the_window(
    ann, monkeypatch, django_capture_on_commit_callbacks
):
    # given: the host told of every tier change
    told = []
    monkeypatch.setattr(
        type(get_host()), "tiers_changed", lambda self, changes: told.extend(changes)
    )
    review = with_(review_points=1)

    # when / then: 499 earned is Bronze, 500 Silver, 1499 Silver, 1500 Gold
    with django_capture_on_commit_callbacks(execute=True):
        ledger.earn_for_order(CHANNEL, ann.pk, "o1", money("499"), ON, T0)
    assert (account(ann).tier, ledger.points_to_next_tier(499, ON.tiers)) == (
        "Bronze",
        1,
    )
    with django_capture_on_commit_callbacks(execute=True):
        ledger.earn_for_review(CHANNEL, ann.pk, "p1", "r1", review, T0)
    assert account(ann).tier == "Silver"
    with django_capture_on_commit_callbacks(execute=True):
        ledger.earn_for_order(
            CHANNEL, ann.pk, "o2", money("799.20"), ON, T0 + timedelta(days=1)
        )  # 799 x 1.25 = 998: 1498 earned
    assert account(ann).tier == "Silver"
    with django_capture_on_commit_callbacks(execute=True):
        ledger.earn_for_review(
            CHANNEL, ann.pk, "p2", "r2", review, T0 + timedelta(days=1)
        )
        ledger.earn_for_review(
            CHANNEL, ann.pk, "p3", "r3", review, T0 + timedelta(days=1)
        )
    assert account(ann).tier == "Gold"
    assert ledger.tier_of(1500, ON.tiers).name == "Gold"
    assert ledger.points_to_next_tier(1500, ON.tiers) is None

    # when: a year after the first order, its 499 points leave the window
    with django_capture_on_commit_callbacks(execute=True):
        changed = ledger.refresh_tiers(T0 + timedelta(days=365, hours=1))

    # then: 1000 earned in the last 365 days: Silver
    assert changed == 1
    assert account(ann).tier == "Silver"
    assert told == [
        (ann.pk, CHANNEL, "Bronze"),
        (ann.pk, CHANNEL, "Silver"),
        (ann.pk, CHANNEL, "Gold"),
        (ann.pk, CHANNEL, "Silver"),
    ]


def test_refresh_tiers_reads_each_channels_tiers_from_the_host(ann, monkeypatch):
    # given: Ann Silver, and a host whose channel settings have loyalty on
    ledger.earn_for_order(CHANNEL, ann.pk, "o1", money("600"), ON, T0)
    monkeypatch.setattr(
        type(get_host()),
        "channel_settings",
        lambda self, channel: ChannelSettings(loyalty=ON),
    )

    # when: still inside the window, then after it
    inside = ledger.refresh_tiers(T0 + timedelta(days=364))
    after = ledger.refresh_tiers(T0 + timedelta(days=366))

    # then
    assert (inside, after) == (0, 1)
    assert account(ann).tier == "Bronze"


def test_a_verified_review_earns_once_per_customer_and_product(ann, bob):
    # when: Ann reviews p1 twice (and edits), p2 once; Bob reviews p1
    for review_id in ("r1", "r2", "r1"):
        ledger.earn_for_review(CHANNEL, ann.pk, "p1", review_id, ON, T0)
    ledger.earn_for_review(CHANNEL, ann.pk, "p2", "r3", ON, T0)
    ledger.earn_for_review(CHANNEL, bob.pk, "p1", "r4", ON, T0)

    # then
    assert account(ann).balance == 100
    assert account(bob).balance == 50
    assert list(
        LedgerEntry.objects.filter(customer=ann).values_list("review_id", "product")
    ) == [("r1", "p1"), ("r3", "p2")]
