"""A few months of a small clothing store, played through the journey plugin.

Shoppers arrive from ads, social media, newsletters, a blog that reviews the store
or by typing the address; they browse, fill checkouts, abandon some, order, pay,
get their parcels, review, come back or drift away. Some shop as guests, some
register, some register later with the address they used as guests (typed in a
different case) and confirm it, and a few change their account's address to the
one they used as guests before; each time the store links their guest orders to
the account, as Saleor does, and the plugin merges the two histories.

Every event goes through :func:`saleor_journey_plugin.service.record_and_wake`, with a
simulated ``occurred_at``, as the Saleor adapter sends them; abandoned checkouts
are tracked the way the plugin's abandonment task records them (a day after the
checkout's last step, same key), and the store answers each with a reminder
email. The lapse detector runs on the simulated clock once a simulated week;
the store answers every new lapse with a win-back email.

The run is deterministic: the same arguments give the same events and stages.
Events are processed as they are tracked, so the simulation needs eager Celery
(the example store's default) and a database without earlier journey events.

Time passes in ticks (a simulated day unless told otherwise), one commit each.
:class:`Extension` objects watch it: before every tick, outside any transaction
(where they can call the store over HTTP), and after every tracked event. With
``store_emails=False`` the store sends no reminder or win-back email of its
own: an extension sends them (the demo's campaigns do).
"""

import heapq
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from celery import current_app
from django.db import transaction
from django.db.models import Count, Q

from example_store.purchases import link_guest_orders
from saleor_journey_plugin.core.abandonment import abandoned_after
from saleor_journey_plugin.core.events import (
    EventType,
    JourneyEventData,
    Source,
    TouchChannel,
    normalize_email,
)
from saleor_journey_plugin.core.host import get_host
from saleor_journey_plugin.core.lapse import record_lapses
from saleor_journey_plugin.core.processing import drain
from saleor_journey_plugin.core.stages import Stage
from saleor_journey_plugin.models import Customer, JourneyEvent, StageTransition
from saleor_journey_plugin.service import record_and_wake

START = datetime(2026, 5, 1, tzinfo=UTC)
CURRENCIES = {"web-usd": "USD", "web-krw": "KRW"}
# Most of the store's customers shop in dollars; a Korean storefront opened later.
CHANNEL_WEIGHTS = {"web-usd": 0.8, "web-krw": 0.2}
LAPSE_CHECK_EVERY = timedelta(days=7)
TICK = timedelta(days=1)
USER_ID_BASE = 1000


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES = _words(
    "olivia liam emma noah ava elijah sophia lucas mia mason amelia ethan harper "
    "logan ella james chloe aiden grace henry zoe jack lily owen nora leo"
)
LAST_NAMES = _words(
    "smith johnson brown garcia miller davis wilson moore taylor clark lewis walker "
    "young allen king wright scott green baker adams nelson hill"
)
KOREAN_NAMES = _words(
    "minjun seoyeon jiho haeun doyun jiwoo seojun sua yejun hayoon jimin "
    "eunwoo chaewon siwoo yuna junho dahye hyunwoo"
)
KOREAN_SURNAMES = _words("kim lee park choi jung kang cho yoon jang lim")

# (slug, USD price, KRW price)
PRODUCTS: tuple[tuple[str, Decimal, int], ...] = (
    ("linen-shirt", Decimal("59.00"), 69000),
    ("organic-cotton-tee", Decimal("24.00"), 29000),
    ("merino-sweater", Decimal("98.00"), 119000),
    ("waterproof-jacket", Decimal("149.00"), 189000),
    ("relaxed-chinos", Decimal("72.00"), 85000),
    ("canvas-tote", Decimal("18.00"), 22000),
    ("wool-socks-3-pack", Decimal("21.00"), 25000),
    ("denim-jacket", Decimal("118.00"), 139000),
    ("silk-scarf", Decimal("45.00"), 52000),
    ("leather-belt", Decimal("39.00"), 46000),
)


@dataclass(frozen=True)
class Traffic:
    """Where a session comes from, with its share of the channel's visits."""

    weight: float
    utm_source: str = ""
    utm_medium: str = ""
    utm_campaign: str = ""
    referrer: str = ""
    search_terms: tuple[str, ...] = ()
    subscribers_only: bool = False

    def source(self, rng: random.Random) -> Source:
        term = ""
        if self.search_terms and rng.random() < 0.85:
            term = rng.choice(self.search_terms)
        return Source(
            utm_source=self.utm_source,
            utm_medium=self.utm_medium,
            utm_campaign=self.utm_campaign,
            referrer=self.referrer,
            search_term=term,
        )


_EN_TERMS = (
    "linen shirt men",
    "organic cotton t-shirt",
    "merino wool sweater",
    "waterproof jacket lightweight",
    "sustainable clothing brand",
    "canvas tote bag",
)
_KO_TERMS = (
    "린넨 셔츠",
    "유기농 면 티셔츠",
    "메리노 울 스웨터",
    "방수 자켓",
    "캔버스 토트백",
)

TRAFFIC: dict[str, tuple[Traffic, ...]] = {
    "web-usd": (
        Traffic(
            0.30, "google", "cpc", "summer-sale", "https://www.google.com/", _EN_TERMS
        ),
        Traffic(0.12, "google", "organic", "", "https://www.google.com/", _EN_TERMS),
        Traffic(0.20, "instagram", "social", "ugc-reels", "https://l.instagram.com/"),
        Traffic(0.15, "newsletter", "email", "weekly-picks", subscribers_only=True),
        Traffic(
            0.08,
            "thegoodtrade",
            "referral",
            "",
            "https://www.thegoodtrade.com/features/sustainable-clothing-brands/",
        ),
        Traffic(0.15),
    ),
    "web-krw": (
        Traffic(
            0.25, "naver", "cpc", "summer-sale", "https://search.naver.com/", _KO_TERMS
        ),
        Traffic(
            0.12, "google", "cpc", "summer-sale", "https://www.google.co.kr/", _KO_TERMS
        ),
        Traffic(0.25, "instagram", "social", "ugc-reels", "https://l.instagram.com/"),
        Traffic(0.13, "newsletter", "email", "weekly-picks", subscribers_only=True),
        Traffic(0.08, "brunch", "referral", "", "https://brunch.co.kr/@slowwear/42"),
        Traffic(0.17),
    ),
}


@dataclass(frozen=True)
class Persona:
    """How a kind of shopper behaves; probabilities are per session or per order."""

    name: str
    weight: float
    bounce: float  # leaves without looking at a product
    checkout: float  # starts a checkout in a session
    buy: float  # completes a started checkout
    come_back: float  # returns after a session without an order
    come_back_days: float
    reorder: float  # returns after an order
    reorder_days: float


PERSONAS: tuple[Persona, ...] = (
    Persona("window shopper", 0.30, 0.45, 0.08, 0.20, 0.35, 12, 0.20, 45),
    Persona("comparer", 0.25, 0.15, 0.45, 0.35, 0.60, 8, 0.30, 45),
    Persona("one-off buyer", 0.25, 0.10, 0.70, 0.75, 0.50, 6, 0.12, 80),
    Persona("regular", 0.20, 0.05, 0.75, 0.85, 0.70, 7, 0.85, 24),
)


class Plan(StrEnum):
    """How a shopper identifies themselves over time."""

    GUEST = "guest"  # checks out as a guest, never registers
    MEMBER = "member"  # signs up on the first visit
    REGISTERS_LATER = "registers later"  # guest first, then an account, same email
    CHANGES_EMAIL = "changes email"  # guest address A, account B, then B -> A


PLAN_WEIGHTS = {
    Plan.GUEST: 0.50,
    Plan.MEMBER: 0.30,
    Plan.REGISTERS_LATER: 0.15,
    Plan.CHANGES_EMAIL: 0.05,
}


@dataclass
class Shopper:
    number: int
    channel: str
    persona: Persona
    plan: Plan
    guest_email: str  # what they type at a guest checkout
    signup_email: str  # what they type when they register
    touch: TouchChannel
    user_id: str = ""
    account_email: str = ""
    newsletter: bool = False
    sessions: int = 0
    orders: int = 0
    sessions_since_signup: int = 0
    switched_email: bool = False  # the account took the guest address
    # Orders placed before registering: the store links them to the account
    # once it proves the guest address; with none, it links nothing.
    guest_orders: int = 0

    def identity(self) -> dict[str, str]:
        if self.user_id:
            return {"user_id": self.user_id, "email": self.account_email}
        return {"user_id": "", "email": self.guest_email}


@dataclass
class ChannelSummary:
    channel: str
    currency: str
    shoppers: int = 0
    orders_placed: int = 0
    orders_paid: int = 0
    revenue: Decimal = Decimal(0)  # paid orders, before refunds
    lapses: int = 0
    win_backs: int = 0


@dataclass
class SimulationSummary:
    customers: int
    days: int
    seed: int
    start: datetime
    end: datetime
    events_recorded: int = 0
    events_by_type: Counter[str] = field(default_factory=Counter)
    accounts_created: int = 0
    guests_registered: int = 0  # accounts that claim an earlier guest's email
    email_changes: int = 0  # account address changed to an earlier guest address
    checkouts_started: int = 0
    checkouts_abandoned: int = 0
    orders_placed: int = 0
    orders_paid: int = 0
    orders_fulfilled: int = 0
    orders_cancelled: int = 0
    orders_refunded: int = 0
    reviews: int = 0
    lapse_checks: int = 0
    lapses: int = 0
    win_backs: int = 0
    win_back_emails: int = 0
    unprocessed_events: int = 0
    seconds: float = 0.0
    channels: dict[str, ChannelSummary] = field(default_factory=dict)


@dataclass(frozen=True)
class CouponUse:
    code: str
    discount: Decimal


class Extension:
    """Something more the store does while the simulation runs; hooks do nothing."""

    def on_tick(self, simulation: "Simulation", at: datetime) -> None:
        """A tick starts at ``at``: called outside any transaction."""

    def after_event(self, simulation: "Simulation", data: JourneyEventData) -> None:
        """``data`` was tracked (inside the tick's transaction)."""

    def coupon(
        self,
        simulation: "Simulation",
        shopper: "Shopper",
        checkout: int,
        total: Decimal,
        currency: str,
    ) -> CouponUse | None:
        """The code the shopper enters at checkout, if any."""
        return None


def simulate(
    customers: int = 300,
    days: int = 120,
    seed: int = 7,
    start: datetime = START,
    **options: Any,
) -> SimulationSummary:
    """Play ``days`` of the store with ``customers`` shoppers; return what happened.

    ``options``: those of :class:`Simulation` (extensions, tick, store_emails).
    """
    return Simulation(
        customers=customers, days=days, seed=seed, start=start, **options
    ).run()


class Simulation:
    def __init__(
        self,
        *,
        customers: int,
        days: int,
        seed: int,
        start: datetime,
        extensions: Sequence[Extension] = (),
        tick: timedelta = TICK,
        store_emails: bool = True,
    ) -> None:
        self.rng = random.Random(seed)
        self.start = start
        self.end = start + timedelta(days=days)
        self.extensions = tuple(extensions)
        self.tick = tick
        self.store_emails = store_emails
        # The simulated moment: that of the action running, or the tick's start.
        self.now = start
        self.summary = SimulationSummary(
            customers=customers, days=days, seed=seed, start=start, end=self.end
        )
        for channel, currency in CURRENCIES.items():
            self.summary.channels[channel] = ChannelSummary(channel, currency)
        self._queue: list[
            tuple[datetime, int, Callable[..., None], tuple[Any, ...]]
        ] = []
        self._seq = 0
        self._checkouts = 0
        self._orders = 0
        self._first_event_id: int | None = None
        self._by_user: dict[str, Shopper] = {}
        self._by_email: dict[str, Shopper] = {}
        self.shoppers = [
            self._new_shopper(number) for number in range(1, customers + 1)
        ]

    # -- the clock ---------------------------------------------------------------

    def run(self) -> SimulationSummary:
        if not current_app.conf.task_always_eager:
            raise RuntimeError(
                "The simulation processes events as it tracks them: it needs eager "
                "Celery (CELERY_TASK_ALWAYS_EAGER, the example store's default)."
            )
        began = time.monotonic()
        for shopper in self.shoppers:
            self._push(self._arrival_time(), self._first_session, shopper)
        self._push(
            self.start + LAPSE_CHECK_EVERY + timedelta(hours=2), self._check_lapses
        )
        ticks = -(-(self.end - self.start) // self.tick)
        for number in range(ticks):
            self.now = tick = self.start + number * self.tick
            for extension in self.extensions:
                extension.on_tick(self, tick)
            # One commit per tick: its events are then processed as one batch,
            # as a worker takes what a busy store recorded.
            until = tick + self.tick
            if not self._queue or self._queue[0][0] >= until:
                continue
            with transaction.atomic():
                while self._queue and self._queue[0][0] < until:
                    at, _, action, args = heapq.heappop(self._queue)
                    self.now = at
                    action(at, *args)
        self._tally()
        self.summary.seconds = time.monotonic() - began
        return self.summary

    def _push(self, at: datetime, action: Callable[..., None], *args: Any) -> None:
        """Schedule an action; what falls after the simulated period never happens."""
        if at >= self.end:
            return
        self._seq += 1
        heapq.heappush(self._queue, (at, self._seq, action, args))

    def _emit(
        self,
        at: datetime,
        event_type: EventType,
        key: str,
        identity: dict[str, str],
        *,
        channel: str = "",
        touch: TouchChannel = TouchChannel.WEB,
        source: Source | None = None,
        payload: dict[str, Any] | None = None,
    ) -> None:
        data = JourneyEventData(
            type=event_type,
            idempotency_key=key,
            occurred_at=at,
            channel=channel,
            touch_channel=touch,
            source=source or Source(),
            payload=payload or {},
            user_id=identity["user_id"],
            email=identity["email"],
        )
        self._push(at, self._track, data)

    def _track(self, at: datetime, data: JourneyEventData) -> None:
        event_id = record_and_wake(data)
        if event_id is None:
            return
        if self._first_event_id is None:
            self._first_event_id = event_id
        self.summary.events_recorded += 1
        self.summary.events_by_type[data.type.value] += 1
        for extension in self.extensions:
            extension.after_event(self, data)
        if data.channel and data.type is EventType.ORDER_PAID:
            channel = self.summary.channels[data.channel]
            channel.orders_paid += 1
            channel.revenue += Decimal(data.payload["total"])
        elif data.channel and data.type is EventType.ORDER_PLACED:
            self.summary.channels[data.channel].orders_placed += 1

    def _after(self, at: datetime, *, minutes: float = 0, hours: float = 0) -> datetime:
        """A moment after ``at``, at a random second within the given spread."""
        spread = minutes * 60 + hours * 3600
        return at + timedelta(seconds=30 + self.rng.uniform(0, spread))

    def _day_time(self, day: datetime) -> datetime:
        """A time of day shoppers are awake (their channel's time zone ignored)."""
        midnight = day.replace(hour=0, minute=0, second=0, microsecond=0)
        hour = self.rng.choice((8, 9, 11, 12, 13, 17, 19, 20, 20, 21, 21, 22, 23))
        return midnight + timedelta(hours=hour, seconds=self.rng.randrange(3600))

    def _days_later(
        self, at: datetime, mean_days: float, at_least: float = 1
    ) -> datetime:
        gap = max(at_least, self.rng.expovariate(1 / mean_days))
        later = self._day_time(at + timedelta(days=gap))
        # The time of day is drawn anew: keep it after ``at``.
        return later if later > at + timedelta(hours=1) else later + timedelta(days=1)

    def _arrival_time(self) -> datetime:
        # A launch campaign brings many shoppers early; the rest trickle in.
        span = (self.end - self.start).days
        day = self.rng.random() ** 1.4 * span * 0.95
        return self._day_time(self.start + timedelta(days=day))

    # -- shoppers ----------------------------------------------------------------

    def _new_shopper(self, number: int) -> Shopper:
        rng = self.rng
        channel = _weighted(rng, CHANNEL_WEIGHTS)
        persona = rng.choices(PERSONAS, weights=[p.weight for p in PERSONAS])[0]
        plan = _weighted(rng, PLAN_WEIGHTS)
        if channel == "web-krw":
            first, last, domain = (
                rng.choice(KOREAN_NAMES),
                rng.choice(KOREAN_SURNAMES),
                "example.kr",
            )
        else:
            first, last, domain = (
                rng.choice(FIRST_NAMES),
                rng.choice(LAST_NAMES),
                "example.com",
            )
        email = f"{first}.{last}{number}@{domain}"
        signup_email = email
        if plan is Plan.REGISTERS_LATER:
            # The same address, typed differently at sign-up.
            signup_email = rng.choice(
                (
                    f"  {email}",
                    email.upper(),
                    f"{email.title()} ",
                    f"{first.title()}.{email[len(first) + 1 :]}",
                )
            )
        elif plan is Plan.CHANGES_EMAIL:
            signup_email = f"{first[0]}{last}{number}@work.example.org"
        shopper = Shopper(
            number=number,
            channel=channel,
            persona=persona,
            plan=plan,
            guest_email=email,
            signup_email=signup_email,
            touch=TouchChannel.APP if rng.random() < 0.15 else TouchChannel.WEB,
        )
        self.summary.channels[channel].shoppers += 1
        self._by_email[normalize_email(email)] = shopper
        self._by_email[normalize_email(signup_email)] = shopper
        return shopper

    # -- for extensions ----------------------------------------------------------

    def push(self, at: datetime, action: Callable[..., None], *args: Any) -> None:
        """Run ``action(at, *args)`` at ``at`` (never before the running tick)."""
        self._push(max(at, self.now), action, *args)

    def visit(
        self, at: datetime, shopper: Shopper, traffic: Traffic, eager: bool = True
    ) -> None:
        """The shopper comes to the store at ``at`` from ``traffic``."""
        self.push(at, self._session, shopper, traffic, eager)

    def resume_checkout(self, at: datetime, shopper: Shopper, checkout: int) -> None:
        """The shopper comes back to checkout ``checkout`` and places the order."""
        self.push(at, self._place_order, shopper, checkout)

    def shopper_of(self, customer: Customer) -> Shopper | None:
        if customer.user_id and customer.user_id in self._by_user:
            return self._by_user[customer.user_id]
        return self._by_email.get(customer.email)

    def _register(self, at: datetime, shopper: Shopper) -> None:
        if shopper.user_id:
            return
        shopper.user_id = str(USER_ID_BASE + shopper.number)
        shopper.account_email = shopper.signup_email
        shopper.guest_orders = shopper.orders
        self._by_user[shopper.user_id] = shopper
        self.summary.accounts_created += 1
        if shopper.plan is Plan.REGISTERS_LATER and shopper.sessions:
            self.summary.guests_registered += 1
        # Account creation is customer-wide: no channel, like Saleor's hook.
        self._emit(
            at,
            EventType.ACCOUNT_CREATED,
            f"user:{shopper.user_id}:created",
            shopper.identity(),
            touch=TouchChannel.API,
        )
        if shopper.plan is Plan.REGISTERS_LATER:
            self._push(self._after(at, minutes=1), self._confirm, shopper, "confirmed")

    def _change_email(self, at: datetime, shopper: Shopper) -> None:
        # Back to the address they shopped with as a guest, typed in capitals.
        shopper.account_email = shopper.guest_email.upper()
        shopper.switched_email = True
        self.summary.email_changes += 1
        self._push(at, self._confirm, shopper, "email")

    def _confirm(self, at: datetime, shopper: Shopper, change: str) -> None:
        """The shopper proved the account's address (the confirmation link, or
        the one confirming a new address): the store links the guest orders
        placed with it, and reports the account as it is now."""
        link_guest_orders(shopper.user_id, shopper.account_email)
        self._track(
            at,
            JourneyEventData(
                type=EventType.ACCOUNT_UPDATED,
                idempotency_key=f"user:{shopper.user_id}:{change}",
                occurred_at=at,
                touch_channel=TouchChannel.API,
                user_id=shopper.user_id,
                email=shopper.account_email,
            ),
        )

    # -- sessions ----------------------------------------------------------------

    def _first_session(self, at: datetime, shopper: Shopper) -> None:
        if shopper.plan is Plan.MEMBER:
            self._register(at, shopper)
            at = self._after(at, minutes=3)
        self._session(at, shopper)

    def _session(
        self,
        at: datetime,
        shopper: Shopper,
        traffic: Traffic | None = None,
        eager: bool = False,
    ) -> None:
        """One visit: browse, maybe check out, maybe come back later.

        ``eager`` marks a visit from a recovery or win-back email: the shopper
        came for something and is likelier to buy.
        """
        rng = self.rng
        persona = shopper.persona
        shopper.sessions += 1
        if shopper.user_id:
            shopper.sessions_since_signup += 1
        if (
            shopper.plan is Plan.CHANGES_EMAIL
            and shopper.sessions_since_signup >= 1
            and not shopper.switched_email
        ):
            self._change_email(at, shopper)
        elif (
            shopper.plan in (Plan.REGISTERS_LATER, Plan.CHANGES_EMAIL)
            and not shopper.user_id
            and (shopper.orders or shopper.sessions >= 3)
        ):
            self._register(at, shopper)
            at = self._after(at, minutes=3)

        identity = shopper.identity()
        channel = shopper.channel
        visit = f"{shopper.number}:{shopper.sessions}"
        traffic = traffic or self._traffic(shopper)
        self._emit(
            at,
            EventType.VISIT,
            f"visit:{visit}",
            identity,
            channel=channel,
            touch=shopper.touch,
            source=traffic.source(rng),
        )
        if not shopper.newsletter and rng.random() < 0.12:
            shopper.newsletter = True
            at = self._after(at, minutes=2)
            self._emit(
                at,
                EventType.NEWSLETTER_OPT_IN,
                f"newsletter:{visit}:opt-in",
                identity,
                channel=channel,
                touch=shopper.touch,
            )
        elif shopper.newsletter and rng.random() < 0.04:
            shopper.newsletter = False
            self._emit(
                self._after(at, minutes=1),
                EventType.UNSUBSCRIBED,
                f"newsletter:{visit}:unsubscribed",
                identity,
                channel=channel,
                touch=TouchChannel.EMAIL,
            )

        if not eager and rng.random() < persona.bounce:
            self._maybe_come_back(at, shopper)
            return
        for view in range(rng.choice((1, 1, 1, 2, 2, 3))):
            at = self._after(at, minutes=4)
            self._emit(
                at,
                EventType.PRODUCT_VIEWED,
                f"view:{visit}:{view + 1}",
                identity,
                channel=channel,
                touch=shopper.touch,
                payload={"product": rng.choice(PRODUCTS)[0]},
            )
        if rng.random() < (0.85 if eager else persona.checkout):
            self._checkout(at, shopper, eager=eager)
        else:
            self._maybe_come_back(at, shopper)

    def _traffic(self, shopper: Shopper) -> Traffic:
        options = [
            t
            for t in TRAFFIC[shopper.channel]
            if shopper.newsletter or not t.subscribers_only
        ]
        weights = [t.weight for t in options]
        if shopper.sessions > 1:
            # Returning shoppers type the address more often.
            weights = [
                w * (2.5 if not t.utm_source else 1)
                for t, w in zip(options, weights, strict=True)
            ]
        return self.rng.choices(options, weights=weights)[0]

    def _maybe_come_back(self, at: datetime, shopper: Shopper) -> None:
        persona = shopper.persona
        # Every visit without a purchase makes the next one a little less likely.
        if self.rng.random() < persona.come_back * 0.85 ** (shopper.sessions - 1):
            self._push(
                self._days_later(at, persona.come_back_days), self._session, shopper
            )

    def _checkout(self, at: datetime, shopper: Shopper, *, eager: bool) -> None:
        rng = self.rng
        self._checkouts += 1
        checkout = self._checkouts
        identity = shopper.identity()
        payload = {"checkout": str(checkout)}
        buy = 0.7 if eager else shopper.persona.buy
        at = self._after(at, minutes=3)
        self._emit(
            at,
            EventType.CHECKOUT_STARTED,
            f"checkout:{checkout}:started",
            identity,
            channel=shopper.channel,
            touch=shopper.touch,
            payload=payload,
        )
        will_buy = rng.random() < buy
        # A checkout that will not become an order is often left half-filled.
        reached = 3 if will_buy else rng.choice((1, 1, 2, 3))
        if reached >= 2:
            at = self._after(at, minutes=4)
            self._emit(
                at,
                EventType.CHECKOUT_DETAILS_ADDED,
                f"checkout:{checkout}:details",
                identity,
                channel=shopper.channel,
                touch=shopper.touch,
                payload=payload,
            )
        if reached >= 3:
            at = self._after(at, minutes=2)
            self._emit(
                at,
                EventType.DELIVERY_METHOD_CHOSEN,
                f"checkout:{checkout}:delivery",
                identity,
                channel=shopper.channel,
                touch=shopper.touch,
                payload=payload,
            )
        if will_buy:
            self._push(self._after(at, minutes=5), self._place_order, shopper, checkout)
            return
        # Saleor keeps the cart; once it has been idle for a day, the plugin's
        # periodic task records it as abandoned (same key, time and payload as
        # below) and the store emails a reminder, which some shoppers answer.
        answers_reminder = rng.random() < 0.25 and self.store_emails
        self._push(
            at + abandoned_after(),
            self._abandon,
            shopper,
            checkout,
            identity,
            answers_reminder,
        )
        if not answers_reminder:
            self._maybe_come_back(at, shopper)

    def _abandon(
        self,
        at: datetime,
        shopper: Shopper,
        checkout: int,
        identity: dict[str, str],
        answers_reminder: bool,
    ) -> None:
        self.summary.checkouts_abandoned += 1
        self._track(
            at,
            JourneyEventData(
                type=EventType.CHECKOUT_ABANDONED,
                idempotency_key=f"checkout:{checkout}:abandoned",
                occurred_at=at,
                channel=shopper.channel,
                touch_channel=TouchChannel.API,
                payload={"checkout": str(checkout)},
                user_id=identity["user_id"],
                email=identity["email"],
            ),
        )
        if answers_reminder:
            reminder = Traffic(1, "newsletter", "email", "cart-reminder")
            self._push(
                self._days_later(at, 1.5, at_least=0.2),
                self._session,
                shopper,
                reminder,
            )

    # -- orders ------------------------------------------------------------------

    def _place_order(self, at: datetime, shopper: Shopper, checkout: int) -> None:
        rng = self.rng
        self._orders += 1
        order = self._orders
        shopper.orders += 1
        currency = CURRENCIES[shopper.channel]
        items = rng.sample(PRODUCTS, rng.choice((1, 1, 1, 2, 2, 3)))
        total = Decimal(_total(items, currency))
        coupons = []
        for extension in self.extensions:
            use = extension.coupon(self, shopper, checkout, total, currency)
            if use is not None:
                total -= use.discount
                coupons.append({"code": use.code, "discount": str(use.discount)})
                break
        payload = {
            "order_id": str(order),
            "total": str(total),
            "currency": currency,
            "checkout": str(checkout),  # as the adapter sends it: not abandoned
            "products": [slug for slug, _, _ in items],
        }
        # A guest order stays the guest's: later events carry the identity it had.
        identity = shopper.identity()

        def milestone(when: datetime, event_type: EventType, name: str) -> None:
            self._emit(
                when,
                event_type,
                f"order:{order}:{name}",
                identity,
                channel=shopper.channel,
                touch=shopper.touch,
                # As an adapter reports it: the placed order names the codes
                # it used (without an extension, none).
                payload={**payload, "coupons": coupons}
                if event_type is EventType.ORDER_PLACED
                else payload,
            )

        at = self._after(at, minutes=1)
        milestone(at, EventType.ORDER_PLACED, "placed")
        if rng.random() < 0.04:
            # The card was declined and never retried: the store cancels it.
            milestone(self._after(at, hours=36), EventType.ORDER_CANCELLED, "cancelled")
            self._maybe_come_back(at, shopper)
            return
        paid = self._after(at, minutes=10)
        milestone(paid, EventType.ORDER_PAID, "paid")
        if rng.random() < 0.03:
            # Out of stock after all: cancelled and refunded before shipping.
            cancelled = self._after(paid, hours=30)
            milestone(cancelled, EventType.ORDER_CANCELLED, "cancelled")
            milestone(
                self._after(cancelled, hours=2), EventType.ORDER_REFUNDED, "refunded"
            )
            self._maybe_come_back(cancelled, shopper)
            return
        fulfilled = paid + timedelta(
            days=rng.choice((1, 1, 2, 2, 3, 4)), hours=rng.uniform(0, 8)
        )
        milestone(fulfilled, EventType.ORDER_FULFILLED, "fulfilled")
        refunded = rng.random() < 0.05
        if refunded:
            returned = fulfilled + timedelta(days=rng.uniform(5, 15))
            milestone(returned, EventType.ORDER_REFUNDED, "refunded")
        if rng.random() < (0.6 if refunded else 0.3):
            rating = (
                rng.choice((1, 2, 2, 3))
                if refunded
                else rng.choices((1, 2, 3, 4, 5), (3, 4, 10, 33, 50))[0]
            )
            self._emit(
                fulfilled + timedelta(days=rng.uniform(3, 10)),
                EventType.REVIEW_SUBMITTED,
                f"review:order:{order}",
                identity,
                channel=shopper.channel,
                touch=shopper.touch,
                payload={
                    "rating": rating,
                    "order_id": str(order),
                    "product": items[0][0],
                },
            )
        if (
            shopper.plan in (Plan.REGISTERS_LATER, Plan.CHANGES_EMAIL)
            and shopper.orders == 1
            and rng.random() < 0.5
        ):
            # "Save your details for next time" on the order confirmation page.
            self._push(self._after(paid, minutes=20), self._register, shopper)
        persona = shopper.persona
        if rng.random() < persona.reorder:
            self._push(
                self._days_later(fulfilled, persona.reorder_days, at_least=3),
                self._session,
                shopper,
            )

    # -- lapses ------------------------------------------------------------------

    def _check_lapses(self, at: datetime) -> None:
        """The scheduled task, on the simulated clock; a win-back email per lapse."""
        with get_host().writer():
            event_ids = record_lapses(now=at)
            drain()
        self.summary.lapse_checks += 1
        self._count_detected(EventType.LAPSE_DETECTED, event_ids)
        lapsed = StageTransition.objects.filter(
            event_id__in=event_ids, to_stage=Stage.LAPSED.value
        ).select_related("journey__customer")
        # Sorted here, not in SQL: databases disagree on where NULL user ids go.
        journeys = sorted(
            (t.journey for t in lapsed),
            key=lambda j: (j.channel, j.customer.user_id or "", j.customer.email),
        )
        campaign = Traffic(1, "newsletter", "email", f"win-back-{at:%Y-%m-%d}")
        for journey in journeys if self.store_emails else ():
            shopper = self.shopper_of(journey.customer)
            if shopper is None or shopper.channel != journey.channel:
                continue
            self.summary.win_back_emails += 1
            if self.rng.random() < 0.45:
                self._push(
                    self._days_later(at, 2, at_least=0.3),
                    self._session,
                    shopper,
                    campaign,
                    True,
                )
        self._push(at + LAPSE_CHECK_EVERY, self._check_lapses)

    def _count_detected(self, event_type: EventType, event_ids: list[int]) -> None:
        self.summary.events_recorded += len(event_ids)
        self.summary.events_by_type[event_type.value] += len(event_ids)
        if event_ids and self._first_event_id is None:
            self._first_event_id = min(event_ids)

    # -- the outcome -------------------------------------------------------------

    def _tally(self) -> None:
        summary = self.summary
        by_type = summary.events_by_type
        summary.checkouts_started = by_type[EventType.CHECKOUT_STARTED.value]
        summary.orders_placed = by_type[EventType.ORDER_PLACED.value]
        summary.orders_paid = by_type[EventType.ORDER_PAID.value]
        summary.orders_fulfilled = by_type[EventType.ORDER_FULFILLED.value]
        summary.orders_cancelled = by_type[EventType.ORDER_CANCELLED.value]
        summary.orders_refunded = by_type[EventType.ORDER_REFUNDED.value]
        summary.reviews = by_type[EventType.REVIEW_SUBMITTED.value]
        if self._first_event_id is None:
            return
        ours = JourneyEvent.objects.filter(pk__gte=self._first_event_id)
        summary.unprocessed_events = ours.filter(
            Q(processed_at__isnull=True) | ~Q(last_error="")
        ).count()
        rows = (
            StageTransition.objects.filter(event_id__gte=self._first_event_id)
            .values("journey__channel")
            .annotate(
                lapses=Count("pk", filter=Q(to_stage=Stage.LAPSED.value)),
                win_backs=Count("pk", filter=Q(win_back=True)),
            )
        )
        for row in rows:
            channel = summary.channels.get(row["journey__channel"])
            if channel is not None:
                channel.lapses = row["lapses"]
                channel.win_backs = row["win_backs"]
        summary.lapses = sum(c.lapses for c in summary.channels.values())
        summary.win_backs = sum(c.win_backs for c in summary.channels.values())


def _weighted(rng: random.Random, weights: dict[Any, float]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _total(items: list[tuple[str, Decimal, int]], currency: str) -> str:
    if currency == "KRW":
        subtotal = sum(krw for _, _, krw in items)
        return str(subtotal + (3000 if subtotal < 50000 else 0))
    usd = sum((price for _, price, _ in items), Decimal(0))
    return str(usd + (Decimal("6.95") if usd < 75 else Decimal(0)))
