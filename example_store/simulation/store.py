"""The simulation: its clock run tick by tick, the events it tracks, the
shoppers it knows, and what extensions may ask of it."""

import random
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from celery import current_app
from django.db import transaction

from saleor_journey_plugin.core.events import (
    EventType,
    JourneyEventData,
    Source,
    TouchChannel,
    normalize_email,
)
from saleor_journey_plugin.models import Customer
from saleor_journey_plugin.service import record_and_wake

from .accounts import Accounts
from .catalog import CURRENCIES, Traffic
from .clock import Clock
from .extensions import Extension
from .lapses import FIRST_CHECK_AFTER, LapseChecks
from .orders import Orders
from .people import Shopper, new_shopper
from .summary import ChannelSummary, SimulationSummary
from .visits import Visits

START = datetime(2026, 5, 1, tzinfo=UTC)
TICK = timedelta(days=1)


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
        self.clock = Clock(self.rng, self.start, self.end)
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
        self.accounts = Accounts(self)
        self.visits = Visits(self)
        self.orders = Orders(self)
        self.lapse_checks = LapseChecks(self)
        self._first_event_id: int | None = None
        self._by_user: dict[str, Shopper] = {}
        self._by_email: dict[str, Shopper] = {}
        self.shoppers = [self._new_shopper(n) for n in range(1, customers + 1)]

    def run(self) -> SimulationSummary:
        if not current_app.conf.task_always_eager:
            raise RuntimeError(
                "The simulation processes events as it tracks them: it needs eager "
                "Celery (CELERY_TASK_ALWAYS_EAGER, the example store's default)."
            )
        began = time.monotonic()
        clock = self.clock
        for shopper in self.shoppers:
            clock.push(clock.arrival_time(), self.visits.first, shopper)
        clock.push(self.start + FIRST_CHECK_AFTER, self.lapse_checks.check)
        ticks = -(-(self.end - self.start) // self.tick)
        for number in range(ticks):
            self.now = tick = self.start + number * self.tick
            for extension in self.extensions:
                extension.on_tick(self, tick)
            # One commit per tick: its events are then processed as one batch,
            # as a worker takes what a busy store recorded.
            until = tick + self.tick
            if not clock.has_due(until):
                continue
            with transaction.atomic():
                for at, action, args in clock.due(until):
                    self.now = at
                    action(at, *args)
        self.summary.tally(self._first_event_id)
        self.summary.seconds = time.monotonic() - began
        return self.summary

    # -- events ------------------------------------------------------------------

    def emit(
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
        """Track the event at ``at``, as the store's hook would send it then."""
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
        self.clock.push(at, self.track, data)

    def track(self, at: datetime, data: JourneyEventData) -> None:
        """Hand ``data`` to the plugin now; count it if it was new."""
        event_id = record_and_wake(data)
        if event_id is None:
            return
        if self._first_event_id is None:
            self._first_event_id = event_id
        self.summary.count(data)
        for extension in self.extensions:
            extension.after_event(self, data)

    def count_detected(self, event_type: EventType, event_ids: list[int]) -> None:
        """Events the plugin recorded itself (lapses)."""
        self.summary.events_recorded += len(event_ids)
        self.summary.events_by_type[event_type.value] += len(event_ids)
        if event_ids and self._first_event_id is None:
            self._first_event_id = min(event_ids)

    # -- shoppers ----------------------------------------------------------------

    def _new_shopper(self, number: int) -> Shopper:
        shopper = new_shopper(self.rng, number)
        self.summary.channels[shopper.channel].shoppers += 1
        self._by_email[normalize_email(shopper.guest_email)] = shopper
        self._by_email[normalize_email(shopper.signup_email)] = shopper
        return shopper

    def add_account(self, shopper: Shopper) -> None:
        self._by_user[shopper.user_id] = shopper

    def shopper_of(self, customer: Customer) -> Shopper | None:
        if customer.user_id and customer.user_id in self._by_user:
            return self._by_user[customer.user_id]
        return self._by_email.get(customer.email)

    # -- for extensions ----------------------------------------------------------

    def push(self, at: datetime, action: Callable[..., None], *args: Any) -> None:
        """Run ``action(at, *args)`` at ``at`` (never before the running tick)."""
        self.clock.push(max(at, self.now), action, *args)

    def visit(
        self, at: datetime, shopper: Shopper, traffic: Traffic, eager: bool = True
    ) -> None:
        """The shopper comes to the store at ``at`` from ``traffic``."""
        self.push(at, self.visits.session, shopper, traffic, eager)

    def resume_checkout(self, at: datetime, shopper: Shopper, checkout: int) -> None:
        """The shopper comes back to checkout ``checkout`` and places the order."""
        self.push(at, self.orders.place, shopper, checkout)
