"""A shopper's visits: where they come from, what they look at, the checkouts
they start and leave, and whether they come back."""

from datetime import datetime
from typing import TYPE_CHECKING

from saleor_journey_plugin.core.abandonment import abandoned_after
from saleor_journey_plugin.core.events import EventType, JourneyEventData, TouchChannel

from .catalog import CART_REMINDER, PRODUCTS, TRAFFIC, Traffic
from .people import REGISTERING_LATER, Plan, Shopper

if TYPE_CHECKING:  # annotations only: the simulation holds the visits
    from .store import Simulation


class Visits:
    def __init__(self, simulation: "Simulation") -> None:
        self.sim = simulation
        self.checkouts = 0

    def first(self, at: datetime, shopper: Shopper) -> None:
        if shopper.plan is Plan.MEMBER:
            self.sim.accounts.register(at, shopper)
            at = self.sim.clock.after(at, minutes=3)
        self.session(at, shopper)

    def session(
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
        sim, rng = self.sim, self.sim.rng
        shopper.sessions += 1
        if shopper.user_id:
            shopper.sessions_since_signup += 1
        at = self._identify(at, shopper)
        visit = f"{shopper.number}:{shopper.sessions}"
        traffic = traffic or self._traffic(shopper)
        sim.emit(
            at,
            EventType.VISIT,
            f"visit:{visit}",
            shopper.identity(),
            channel=shopper.channel,
            touch=shopper.touch,
            source=traffic.source(rng),
        )
        at = self._newsletter(at, shopper, visit)
        if not eager and rng.random() < shopper.persona.bounce:
            self.maybe_come_back(at, shopper)
            return
        at = self._browse(at, shopper, visit)
        if rng.random() < (0.85 if eager else shopper.persona.checkout):
            self.checkout(at, shopper, eager=eager)
        else:
            self.maybe_come_back(at, shopper)

    def _identify(self, at: datetime, shopper: Shopper) -> datetime:
        """Who the shopper is on this visit: a new address or a new account."""
        accounts = self.sim.accounts
        if (
            shopper.plan is Plan.CHANGES_EMAIL
            and shopper.sessions_since_signup >= 1
            and not shopper.switched_email
        ):
            accounts.change_email(at, shopper)
        elif (
            shopper.plan in REGISTERING_LATER
            and not shopper.user_id
            and (shopper.orders or shopper.sessions >= 3)
        ):
            accounts.register(at, shopper)
            at = self.sim.clock.after(at, minutes=3)
        return at

    def _newsletter(self, at: datetime, shopper: Shopper, visit: str) -> datetime:
        sim, rng = self.sim, self.sim.rng
        if not shopper.newsletter and rng.random() < 0.12:
            shopper.newsletter = True
            at = sim.clock.after(at, minutes=2)
            sim.emit(
                at,
                EventType.NEWSLETTER_OPT_IN,
                f"newsletter:{visit}:opt-in",
                shopper.identity(),
                channel=shopper.channel,
                touch=shopper.touch,
            )
        elif shopper.newsletter and rng.random() < 0.04:
            shopper.newsletter = False
            sim.emit(
                sim.clock.after(at, minutes=1),
                EventType.UNSUBSCRIBED,
                f"newsletter:{visit}:unsubscribed",
                shopper.identity(),
                channel=shopper.channel,
                touch=TouchChannel.EMAIL,
            )
        return at

    def _browse(self, at: datetime, shopper: Shopper, visit: str) -> datetime:
        sim, rng = self.sim, self.sim.rng
        for view in range(rng.choice((1, 1, 1, 2, 2, 3))):
            at = sim.clock.after(at, minutes=4)
            sim.emit(
                at,
                EventType.PRODUCT_VIEWED,
                f"view:{visit}:{view + 1}",
                shopper.identity(),
                channel=shopper.channel,
                touch=shopper.touch,
                payload={"product": rng.choice(PRODUCTS)[0]},
            )
        return at

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
        return self.sim.rng.choices(options, weights=weights)[0]

    def maybe_come_back(self, at: datetime, shopper: Shopper) -> None:
        persona = shopper.persona
        # Every visit without a purchase makes the next one a little less likely.
        if self.sim.rng.random() < persona.come_back * 0.85 ** (shopper.sessions - 1):
            clock = self.sim.clock
            clock.push(
                clock.days_later(at, persona.come_back_days), self.session, shopper
            )

    # -- checkouts ---------------------------------------------------------------

    def checkout(self, at: datetime, shopper: Shopper, *, eager: bool) -> None:
        sim, rng, clock = self.sim, self.sim.rng, self.sim.clock
        self.checkouts += 1
        checkout = self.checkouts
        identity = shopper.identity()
        payload = {"checkout": str(checkout)}
        buy = 0.7 if eager else shopper.persona.buy

        def step(when: datetime, event_type: EventType, name: str) -> None:
            sim.emit(
                when,
                event_type,
                f"checkout:{checkout}:{name}",
                identity,
                channel=shopper.channel,
                touch=shopper.touch,
                payload=payload,
            )

        at = clock.after(at, minutes=3)
        step(at, EventType.CHECKOUT_STARTED, "started")
        will_buy = rng.random() < buy
        # A checkout that will not become an order is often left half-filled.
        reached = 3 if will_buy else rng.choice((1, 1, 2, 3))
        if reached >= 2:
            at = clock.after(at, minutes=4)
            step(at, EventType.CHECKOUT_DETAILS_ADDED, "details")
        if reached >= 3:
            at = clock.after(at, minutes=2)
            step(at, EventType.DELIVERY_METHOD_CHOSEN, "delivery")
        if will_buy:
            clock.push(clock.after(at, minutes=5), sim.orders.place, shopper, checkout)
            return
        # Saleor keeps the cart; once it has been idle for a day, the plugin's
        # periodic task records it as abandoned (same key, time and payload as
        # in abandon()) and the store emails a reminder, which some shoppers
        # answer.
        answers_reminder = rng.random() < 0.25 and sim.store_emails
        clock.push(
            at + abandoned_after(),
            self.abandon,
            shopper,
            checkout,
            identity,
            answers_reminder,
        )
        if not answers_reminder:
            self.maybe_come_back(at, shopper)

    def abandon(
        self,
        at: datetime,
        shopper: Shopper,
        checkout: int,
        identity: dict[str, str],
        answers_reminder: bool,
    ) -> None:
        sim = self.sim
        sim.summary.checkouts_abandoned += 1
        sim.track(
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
            sim.clock.push(
                sim.clock.days_later(at, 1.5, at_least=0.2),
                self.session,
                shopper,
                CART_REMINDER,
            )
