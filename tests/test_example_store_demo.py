"""The example store's simulation and ``demo`` command, end to end on PostgreSQL.

The simulation tracks events through ``service.record_and_wake``, which hands them to
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
from example_store.demo import report
from example_store.demo.run import demo_run
from example_store.simulation import START, Plan, Simulation
from saleor_journey_plugin.campaigns.models import (
    CampaignClick,
    CampaignMessage,
    MessageStatus,
)
from saleor_journey_plugin.core.events import EventType, normalize_email
from saleor_journey_plugin.core.queries import stage_counts
from saleor_journey_plugin.core.stages import Stage
from saleor_journey_plugin.loyalty.models import EntryKind as LedgerKind
from saleor_journey_plugin.loyalty.models import LedgerEntry
from saleor_journey_plugin.models import (
    Customer,
    Journey,
    JourneyEvent,
    StageTransition,
)
from saleor_journey_plugin.reviews.models import Review, ReviewDelivery

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
        "AWARENESS": 11,
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
    ) == (425, 26, 26, 2, 5, 6, 19, 2, 1, 17)
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
    merged = [s for s in claimed + switched if s.guest_orders]
    # A guest who never ordered has nothing for the store to link: she stays
    # a guest beside the account that proved her address.
    apart = [s for s in claimed + switched if not s.guest_orders]
    assert merged and apart
    for shopper in merged:
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
            email=normalize_email(shopper.guest_email), user_id=""
        )
        assert guest_events.exists()
        assert not guest_events.exclude(customer=rows[0]).exists()
    for shopper in apart:
        rows = Customer.objects.filter(
            Q(user_id=shopper.user_id) | Q(email=normalize_email(shopper.guest_email))
        )
        assert {(c.user_id, c.email) for c in rows} == {
            (shopper.user_id, normalize_email(shopper.guest_email)),
            (None, normalize_email(shopper.guest_email)),
        }, shopper
    # One customer per shopper, except those who registered with a new address
    # and never switched it to their guest one, and those whose guest self
    # never ordered: nothing links the two.
    unlinked = [
        s
        for s in shoppers
        if s.plan is Plan.CHANGES_EMAIL and s.user_id and not s.switched_email
    ]
    assert Customer.objects.count() == len(shoppers) + len(unlinked) + len(apart)


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


@pytest.fixture
def demo(eager_celery):
    # The store, its SMTP server and settings stay up while the test looks.
    with demo_run(customers=60, days=90, seed=5, email="smtp") as run:
        yield run


@pytest.mark.django_db(transaction=True)
def test_demo_prints_campaigns_reviews_and_loyalty(demo):
    # given a small seeded run with campaigns, reviews and loyalty on
    summary = demo.summary
    lines: list[str] = []

    # when the report's new sections are printed
    report.campaigns_section(
        lines.append, CHANNELS, summary.start, summary.end, demo.campaigns, demo.mailbox
    )
    report.loyalty_section(
        lines.append, CHANNELS, summary.start, summary.end, demo.reviews
    )

    # then they show the plugin's campaigns and loyalty reports over the run
    assert "\n".join(lines) == DEMO_REPORT
    assert summary.unprocessed_events == 0
    assert not JourneyEvent.objects.filter(processed_at__isnull=True).exists()


CHANNELS = ["web-usd", "web-krw"]
DEMO_REPORT = """\
Campaigns, May 01 to Jul 29
  web-usd
                        Sent  Clicked  Recovered orders       Revenue  Discount cost     ROI
    Abandoned checkout    36       14                12    USD 891.55      USD 11.20  7,860%
    Win-back               0        0                 0      USD 0.00       USD 0.00     n/a
    Review request        16        8                 1    USD 175.00       USD 0.00     n/a
    All campaigns         52       22                13  USD 1,066.55      USD 11.20  9,423%
    16 abandoned checkouts reminded, 9 of them recovered (56.2%)
  web-krw
                        Sent  Clicked  Recovered orders      Revenue  Discount cost     ROI
    Abandoned checkout     8        5                 6  KRW 831,500     KRW 56,500  1,372%
    Win-back               2        1                 1  KRW 129,000          KRW 0     n/a
    Review request         8        5                 1   KRW 30,000          KRW 0     n/a
    All campaigns         18       11                 8  KRW 990,500     KRW 56,500  1,653%
    5 abandoned checkouts reminded, 5 of them recovered (100.0%)
  Emails: 70 sent by 360 sweeps (every 6 simulated hours) to the demo's SMTP server on loopback (aiosmtpd), 70 received there.
  Clicks: 33 through the store's click redirect (33 answered 302); then 12 checkouts completed, 1 lapsed customer came back, 9 reviews written.
Reviews and loyalty, May 01 to Jul 29
  web-usd: CSAT 80.0% over 15 reviews (5 through the webhook, 5 verified purchases)
    Points: issued 2,478, redeemed 0, expired 0, taken back by refunds 182; outstanding 2,296 (USD 22.96)
    Members: 17 (Bronze 16, Silver 1, Gold 0)
  web-krw: CSAT 77.8% over 9 reviews (4 through the webhook, 4 verified purchases)
    Points: issued 2,117,500, redeemed 900,000, expired 156,000, taken back by refunds 25,000; outstanding 1,036,500 (KRW 10,365)
    Members: 10 (브론즈 6, 실버 4, 골드 0)
  Review webhook: 9 signed deliveries accepted (9 created), 9 verified purchases.
    3 forged deliveries refused: wrong secret 401, tampered body 401, stale timestamp 401.
    The first delivery sent again with its webhook-id: 200 "duplicate", stored once."""  # noqa: E501


@pytest.mark.django_db(transaction=True)
def test_demo_campaign_emails_reach_the_smtp_server(demo):
    # given the run's sent campaign emails
    sent = CampaignMessage.objects.filter(status=MessageStatus.SENT)
    by_kind = dict(sent.values_list("kind").annotate(n=Count("pk")).order_by())

    # then the SMTP server on loopback received each of them, once
    assert by_kind == {"abandoned_checkout": 44, "win_back": 2, "review_request": 24}
    received = demo.mailbox.messages
    assert len(received) == sent.count() == 70
    assert sorted(m["To"] for m in received) == sorted(m.email for m in sent)
    # with the one-click unsubscribe link and the recovery link to the running store
    first = sent.order_by("sent_at", "pk").first()
    email = next(m for m in received if m["To"] == first.email)
    assert (
        email["List-Unsubscribe"]
        .strip()
        .startswith(f"<{demo.server.url}/campaigns/{first.channel}/unsubscribe/")
    )
    text = email.get_payload()[0].get_payload(decode=True).decode()
    assert f"{demo.server.url}/campaigns/{first.channel}/click/" in text
    # and every click went through the store's redirect
    assert demo.campaigns.clicks == {302: 33}
    assert CampaignClick.objects.count() == 33
    assert JourneyEvent.objects.filter(type=EventType.EMAIL_CLICKED.value).count() == 33
    # on the simulated clock: within the run, after the email
    assert not CampaignClick.objects.filter(
        Q(at__lt=F("message__sent_at")) | Q(at__gte=demo.summary.end)
    ).exists()


@pytest.mark.django_db(transaction=True)
def test_demo_review_webhook_refuses_forged_deliveries(demo):
    deliveries = demo.reviews

    # forged deliveries were refused with 401 and stored nothing
    assert [(what, status) for what, status, _ in deliveries.forged] == [
        ("wrong secret", 401),
        ("tampered body", 401),
        ("stale timestamp", 401),
    ]
    forged_ids = [webhook_id for _, _, webhook_id in deliveries.forged]
    assert not ReviewDelivery.objects.filter(webhook_id__in=forged_ids).exists()
    # the genuine ones were stored once each, the redelivery changing nothing
    assert deliveries.accepted == {"created": 9}
    assert deliveries.redelivered == [(200, "duplicate")]
    assert ReviewDelivery.objects.count() == Review.objects.count() == 9
    assert Review.objects.filter(verified=True).count() == 9
    assert (
        JourneyEvent.objects.filter(
            type=EventType.REVIEW_SUBMITTED.value, payload__verified=True
        ).count()
        == 9
    )
    # and each verified review earned its review points once
    assert LedgerEntry.objects.filter(kind=LedgerKind.EARN_REVIEW).count() == 9


@pytest.mark.django_db(transaction=True)
def test_demo_prints_emails_on_the_console_when_asked(
    eager_celery, capsys, monkeypatch
):
    # given the console chosen by the environment
    monkeypatch.setenv("EXAMPLE_STORE_DEMO_EMAIL", "console")
    out = StringIO()

    # when the demo runs
    call_command("demo", customers=20, days=40, seed=3, stdout=out)

    # then Django's console backend printed every campaign email sent
    sent = CampaignMessage.objects.filter(status=MessageStatus.SENT).count()
    printed = capsys.readouterr().out
    assert sent == 13
    assert printed.count("List-Unsubscribe-Post: List-Unsubscribe=One-Click") == sent
    assert "campaign emails by console" in out.getvalue()
    assert (
        f"Emails: {sent} sent by 160 sweeps (every 6 simulated hours) to the console "
        "(Django's console email backend)." in out.getvalue()
    )
