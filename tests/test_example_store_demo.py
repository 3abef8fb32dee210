"""The example store's simulation and ``demo`` command, end to end on PostgreSQL.

The simulation tracks events through ``service.track``, which hands them to
Celery on commit, and runs the lapse detector between them on a simulated
clock. Both need events processed as they are tracked: eager Celery, and
commits that happen (``transaction=True``; inside a test's atomic block the
on-commit callbacks would all wait for the end of the test).
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F, Q

from example_store import celery_app
from example_store.simulation import START, Plan, Simulation
from saleor_journey_plugin.core.events import EventType, normalize_email
from saleor_journey_plugin.core.queries import stage_counts
from saleor_journey_plugin.core.stages import Stage
from saleor_journey_plugin.models import (
    Customer,
    Journey,
    JourneyEvent,
    StageTransition,
)

BOUGHT = {Stage.PURCHASE.value, Stage.RETENTION.value, Stage.LOYALTY.value}


@pytest.fixture
def eager_celery(settings):
    # The Celery app read its configuration once; the setting alone is not enough.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def simulation(eager_celery):
    sim = Simulation(customers=50, days=120, seed=13, start=START)
    sim.run()
    return sim


@pytest.mark.django_db(transaction=True)
def test_simulation_ends_with_known_stages(simulation):
    summary = simulation.summary

    # web-usd counts new accounts: 4 of its AWARENESS journeys are accounts of
    # shoppers who only ever shopped in web-krw
    assert _stages("web-usd") == {
        "AWARENESS": 10,
        "INTEREST": 19,
        "CONSIDERATION": 2,
        "PURCHASE": 1,
        "RETENTION": 6,
        "LOYALTY": 4,
        "LAPSED": 3,
    }
    # web-krw does not count new accounts: only its own shoppers have a journey.
    assert _stages("web-krw") == {
        "AWARENESS": 3,
        "INTEREST": 2,
        "CONSIDERATION": 1,
        "PURCHASE": 0,
        "RETENTION": 1,
        "LOYALTY": 2,
        "LAPSED": 1,
    }
    assert (
        summary.events_recorded,
        summary.orders_placed,
        summary.orders_paid,
        summary.orders_cancelled,
        summary.orders_refunded,
        summary.reviews,
        summary.accounts_created,
        summary.guests_registered,
        summary.email_changes,
        summary.lapse_checks,
    ) == (422, 26, 26, 2, 5, 6, 19, 2, 1, 17)
    # (shoppers, orders placed, lapses, win-backs)
    assert {
        channel: (c.shoppers, c.orders_placed, c.lapses, c.win_backs)
        for channel, c in summary.channels.items()
    } == {"web-usd": (40, 19, 5, 2), "web-krw": (10, 7, 2, 1)}
    assert summary.events_recorded == JourneyEvent.objects.count()
    assert summary.unprocessed_events == 0


def _stages(channel):
    return {stage.value: count for stage, count in stage_counts(channel).items()}


@pytest.mark.django_db(transaction=True)
def test_simulation_keeps_the_journey_invariants(simulation):
    _every_event_processed_exactly_once()
    _every_order_puts_its_customer_at_purchase_or_later(simulation)
    _merged_guests_have_one_customer_row(simulation)
    _won_back_customers_come_from_lapsed(simulation)


def _every_event_processed_exactly_once():
    events = JourneyEvent.objects.all()
    assert events.filter(processed_at__isnull=True).count() == 0
    assert events.exclude(attempts=1).count() == 0
    assert events.exclude(last_error="").count() == 0
    repeated = (
        StageTransition.objects.values("journey", "event")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    assert list(repeated) == []
    # A transition belongs to the customer whose event caused it.
    foreign = StageTransition.objects.exclude(
        journey__customer_id=F("event__customer_id")
    )
    assert foreign.count() == 0


def _every_order_puts_its_customer_at_purchase_or_later(simulation):
    placed = JourneyEvent.objects.filter(type=EventType.ORDER_PLACED.value)
    assert placed.count() == simulation.summary.orders_placed > 0
    for event in placed:
        assert event.customer_id is not None, event
        assert event.stage in BOUGHT, (event, event.stage)
        journey = Journey.objects.get(
            customer_id=event.customer_id, channel=event.channel
        )
        # Later it may have lapsed, never gone back before PURCHASE.
        assert journey.stage in BOUGHT | {Stage.LAPSED.value}, journey
        assert journey.transitions.filter(
            to_stage__in=BOUGHT, occurred_at__lte=event.occurred_at
        ).exists()


def _merged_guests_have_one_customer_row(simulation):
    shoppers = simulation.shoppers
    claimed = [s for s in shoppers if s.plan is Plan.REGISTERS_LATER and s.user_id]
    switched = [s for s in shoppers if s.switched_email]
    assert claimed and switched
    for shopper in claimed + switched:
        rows = list(
            Customer.objects.filter(
                Q(user_id=shopper.user_id)
                | Q(email=normalize_email(shopper.guest_email))
                | Q(email=normalize_email(shopper.signup_email))
            )
        )
        assert [(c.user_id, c.email) for c in rows] == [
            (shopper.user_id, normalize_email(shopper.guest_email))
        ], shopper
        # The guest's events are the account's now.
        guest_events = JourneyEvent.objects.filter(
            email=normalize_email(shopper.guest_email)
        )
        assert guest_events.exists()
        assert not guest_events.exclude(customer=rows[0]).exists()
    # One customer per shopper, except those who registered with a new address
    # and never switched it to their guest one: nothing links the two.
    unlinked = [
        s
        for s in shoppers
        if s.plan is Plan.CHANGES_EMAIL and s.user_id and not s.switched_email
    ]
    assert Customer.objects.count() == len(shoppers) + len(unlinked)


def _won_back_customers_come_from_lapsed(simulation):
    won = StageTransition.objects.filter(win_back=True).select_related("event")
    assert won.count() == simulation.summary.win_backs > 0
    for transition in won:
        assert transition.from_stage == Stage.LAPSED.value
        assert transition.event.type in (
            EventType.ORDER_PLACED.value,
            EventType.ORDER_PAID.value,
        )


def test_simulation_refuses_to_queue_on_a_real_broker():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        with pytest.raises(RuntimeError, match="eager"):
            Simulation(customers=1, days=1, seed=1, start=START).run()
    finally:
        celery_app.conf.task_always_eager = previous


@pytest.mark.django_db(transaction=True)
def test_demo_command_prints_each_channel_in_its_preset(eager_celery):
    out = StringIO()
    call_command("demo", customers=20, days=40, seed=3, stdout=out)
    text = out.getvalue()

    assert "web-usd: preset standard, English labels, lapse after 90 days" in text
    for label in ("Awareness", "Interest", "Consideration", "Purchase", "At risk"):
        assert f"\n  {label} " in text
    assert "web-krw: preset five_stage, Korean labels, lapse after 60 days" in text
    for label in ("인지", "관심", "구매", "경험", "충성", "이탈 위험"):
        assert f"\n  {label} " in text
    # five_stage shows Interest and Consideration under one label.
    assert "INTEREST " in text and " + CONSIDERATION " in text
    assert "events recorded" in text

    with pytest.raises(CommandError, match="fresh"):
        call_command("demo", customers=1, days=1, stdout=StringIO())
