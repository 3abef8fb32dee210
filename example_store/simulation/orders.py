"""An order from checkout to review: payment, delivery, the ones that go
wrong, and what the shopper does after."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from saleor_journey_plugin.core.events import EventType

from .catalog import CURRENCIES, PRODUCTS, Product, order_total
from .people import REGISTERING_LATER, Shopper

if TYPE_CHECKING:  # annotations only: the simulation holds the orders
    from .store import Simulation


@dataclass
class Order:
    """A placed order and the payload its milestones carry."""

    number: int
    shopper: Shopper
    items: list[Product]
    # A guest order stays the guest's: later events carry the identity it had.
    identity: dict[str, str]
    payload: dict[str, Any]
    coupons: list[dict[str, str]]


class Orders:
    def __init__(self, simulation: "Simulation") -> None:
        self.sim = simulation
        self.placed = 0

    def place(self, at: datetime, shopper: Shopper, checkout: int) -> None:
        """The shopper completes checkout ``checkout``; the order runs its course."""
        rng, clock = self.sim.rng, self.sim.clock
        order = self._new_order(shopper, checkout)
        at = clock.after(at, minutes=1)
        self._milestone(order, at, EventType.ORDER_PLACED, "placed")
        if rng.random() < 0.04:
            # The card was declined and never retried: the store cancels it.
            cancelled = clock.after(at, hours=36)
            self._milestone(order, cancelled, EventType.ORDER_CANCELLED, "cancelled")
            self.sim.visits.maybe_come_back(at, shopper)
            return
        paid = clock.after(at, minutes=10)
        self._milestone(order, paid, EventType.ORDER_PAID, "paid")
        if rng.random() < 0.03:
            self._out_of_stock(order, paid)
            return
        fulfilled, refunded = self._deliver(order, paid)
        self._maybe_review(order, fulfilled, refunded)
        self._after_order(shopper, paid, fulfilled)

    def _new_order(self, shopper: Shopper, checkout: int) -> Order:
        rng = self.sim.rng
        self.placed += 1
        shopper.orders += 1
        currency = CURRENCIES[shopper.channel]
        items = rng.sample(PRODUCTS, rng.choice((1, 1, 1, 2, 2, 3)))
        total, coupons = self._apply_coupon(
            shopper, checkout, Decimal(order_total(items, currency)), currency
        )
        payload = {
            "order_id": str(self.placed),
            "total": str(total),
            "currency": currency,
            "checkout": str(checkout),  # as the adapter sends it: not abandoned
            "products": [slug for slug, _, _ in items],
        }
        return Order(self.placed, shopper, items, shopper.identity(), payload, coupons)

    def _apply_coupon(
        self, shopper: Shopper, checkout: int, total: Decimal, currency: str
    ) -> tuple[Decimal, list[dict[str, str]]]:
        """The first code an extension hands the shopper, taken off the total."""
        for extension in self.sim.extensions:
            use = extension.coupon(self.sim, shopper, checkout, total, currency)
            if use is not None:
                return total - use.discount, [
                    {"code": use.code, "discount": str(use.discount)}
                ]
        return total, []

    def _milestone(
        self, order: Order, when: datetime, event_type: EventType, name: str
    ) -> None:
        self.sim.emit(
            when,
            event_type,
            f"order:{order.number}:{name}",
            order.identity,
            channel=order.shopper.channel,
            touch=order.shopper.touch,
            # As an adapter reports it: the placed order names the codes it
            # used (without an extension, none).
            payload={**order.payload, "coupons": order.coupons}
            if event_type is EventType.ORDER_PLACED
            else order.payload,
        )

    def _out_of_stock(self, order: Order, paid: datetime) -> None:
        """Out of stock after all: cancelled and refunded before shipping."""
        clock = self.sim.clock
        cancelled = clock.after(paid, hours=30)
        self._milestone(order, cancelled, EventType.ORDER_CANCELLED, "cancelled")
        refunded = clock.after(cancelled, hours=2)
        self._milestone(order, refunded, EventType.ORDER_REFUNDED, "refunded")
        self.sim.visits.maybe_come_back(cancelled, order.shopper)

    def _deliver(self, order: Order, paid: datetime) -> tuple[datetime, bool]:
        """The parcel arrives; a few come back for a refund. Returns when it
        arrived and whether it was refunded."""
        rng = self.sim.rng
        fulfilled = paid + timedelta(
            days=rng.choice((1, 1, 2, 2, 3, 4)), hours=rng.uniform(0, 8)
        )
        self._milestone(order, fulfilled, EventType.ORDER_FULFILLED, "fulfilled")
        refunded = rng.random() < 0.05
        if refunded:
            returned = fulfilled + timedelta(days=rng.uniform(5, 15))
            self._milestone(order, returned, EventType.ORDER_REFUNDED, "refunded")
        return fulfilled, refunded

    def _maybe_review(self, order: Order, fulfilled: datetime, refunded: bool) -> None:
        # Unhappy customers write more often, and worse.
        rng = self.sim.rng
        if rng.random() >= (0.6 if refunded else 0.3):
            return
        rating = (
            rng.choice((1, 2, 2, 3))
            if refunded
            else rng.choices((1, 2, 3, 4, 5), (3, 4, 10, 33, 50))[0]
        )
        self.sim.emit(
            fulfilled + timedelta(days=rng.uniform(3, 10)),
            EventType.REVIEW_SUBMITTED,
            f"review:order:{order.number}",
            order.identity,
            channel=order.shopper.channel,
            touch=order.shopper.touch,
            payload={
                "rating": rating,
                "order_id": str(order.number),
                "product": order.items[0][0],
            },
        )

    def _after_order(
        self, shopper: Shopper, paid: datetime, fulfilled: datetime
    ) -> None:
        """An account offered on the confirmation page; the next visit."""
        sim, rng, clock = self.sim, self.sim.rng, self.sim.clock
        if (
            shopper.plan in REGISTERING_LATER
            and shopper.orders == 1
            and rng.random() < 0.5
        ):
            # "Save your details for next time" on the order confirmation page.
            clock.push(clock.after(paid, minutes=20), sim.accounts.register, shopper)
        persona = shopper.persona
        if rng.random() < persona.reorder:
            clock.push(
                clock.days_later(fulfilled, persona.reorder_days, at_least=3),
                sim.visits.session,
                shopper,
            )
