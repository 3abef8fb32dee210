"""The plugin's campaigns in the simulated store.

The store keeps each checkout (``StoreCheckout``) as shoppers fill it, so the
reminders can show what was left in it. Every six simulated hours the campaign
sweep sends what is due, on the simulated clock, through the demo's mail
server. Some recipients click the link in the email, a real GET of the store's
click redirect; then an abandoned checkout is often completed with the email's
code, a lapsed customer comes back and may order with theirs, and a customer
asked for a review may write one (``reviews.py`` delivers it).
"""

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from example_store.models import StoreCheckout
from example_store.simulation import (
    CURRENCIES,
    PRODUCTS,
    Extension,
    Simulation,
    Traffic,
)
from saleor_journey_plugin.campaigns.kinds import named
from saleor_journey_plugin.campaigns.kinds.abandoned_checkout import ABANDONED_CHECKOUT
from saleor_journey_plugin.campaigns.kinds.review_request import REVIEW_REQUEST
from saleor_journey_plugin.campaigns.kinds.win_back import WIN_BACK
from saleor_journey_plugin.campaigns.models import CampaignMessage, MessageStatus
from saleor_journey_plugin.campaigns.sweep import BATCH_SIZE, sweep
from saleor_journey_plugin.campaigns.tokens import click_token
from saleor_journey_plugin.core.events import EventType, JourneyEventData
from saleor_journey_plugin.core.host import get_host
from saleor_journey_plugin.core.processing import drain

from .reviews import Reviews
from .server import StoreServer
from .wallet import Wallet

SWEEP_EVERY = timedelta(hours=6)
# Of the recipients of an email of each kind, how many click its link.
CLICKS = {
    ABANDONED_CHECKOUT: 0.35,
    WIN_BACK: 0.30,
    REVIEW_REQUEST: 0.40,
}
# Of those who click a reminder, how many complete the checkout.
COMPLETES_CHECKOUT = 0.6
# Of those who click a review request, how many write the review.
WRITES_REVIEW = 0.75
_CHECKOUT_CHANGES = (
    EventType.CHECKOUT_DETAILS_ADDED.value,
    EventType.DELIVERY_METHOD_CHOSEN.value,
)


@dataclass
class CampaignActivity:
    """What the demo did with the emails (the plugin's report has the rest)."""

    sweeps: int = 0
    sweep_outcomes: Counter[str] = field(default_factory=Counter)
    clicks: Counter[int] = field(default_factory=Counter)  # HTTP status -> n
    resumed_checkouts: int = 0
    return_visits: int = 0
    reviews_written: int = 0


class Campaigns(Extension):
    def __init__(
        self, seed: int, server: StoreServer, wallet: Wallet, reviews: Reviews
    ) -> None:
        self.rng = random.Random(f"campaigns:{seed}")
        self.server = server
        self.wallet = wallet
        self.reviews = reviews
        self.activity = CampaignActivity()

    # -- the store's checkouts ---------------------------------------------------

    def after_event(self, simulation: Simulation, data: JourneyEventData) -> None:
        payload = data.payload or {}
        token = str(payload.get("checkout") or "")
        if not token or not data.channel:
            return
        if data.type is EventType.CHECKOUT_STARTED:
            StoreCheckout.objects.create(
                token=token,
                channel=data.channel,
                email=data.email,
                user_id=data.user_id,
                lines=self._lines(data.channel),
                currency=CURRENCIES[data.channel],
                updated_at=data.occurred_at,
            )
        elif data.type.value in _CHECKOUT_CHANGES:
            StoreCheckout.objects.filter(token=token).update(
                updated_at=data.occurred_at
            )
        elif data.type is EventType.ORDER_PLACED:
            StoreCheckout.objects.filter(token=token).update(
                order_id=str(payload["order_id"])
            )

    def _lines(self, channel: str) -> list[dict[str, object]]:
        products = self.rng.sample(PRODUCTS, self.rng.choice((1, 1, 2, 3)))
        return [
            {
                "name": slug.replace("-", " ").capitalize(),
                "quantity": 1,
                "price": str(krw if channel == "web-krw" else usd),
            }
            for slug, usd, krw in products
        ]

    # -- sending and clicking ----------------------------------------------------

    def on_tick(self, simulation: Simulation, at: datetime) -> None:
        if (at - simulation.start) % SWEEP_EVERY:
            return
        self.activity.sweeps += 1
        sent_before = self.activity.sweep_outcomes["sent"]
        with get_host().writer():
            while True:
                outcomes = sweep(now=at)
                self.activity.sweep_outcomes.update(outcomes)
                if sum(outcomes.values()) - outcomes.get("failed", 0) < BATCH_SIZE:
                    break
            if self.activity.sweep_outcomes["sent"] > sent_before:
                # The emails' touchpoints, as the worker's next run applies them.
                drain()
        sent = CampaignMessage.objects.filter(
            status=MessageStatus.SENT, sent_at=at
        ).select_related("customer")
        for message in sent.order_by("pk"):
            if self.rng.random() < CLICKS[named(message.kind)]:
                self._click(simulation, message, at)

    def _click(
        self, simulation: Simulation, message: CampaignMessage, sent_at: datetime
    ) -> None:
        clicked_at = sent_at + timedelta(minutes=self.rng.uniform(5, 180))
        simulation.now = clicked_at
        try:
            answer = self.server.request(
                "GET",
                f"/campaigns/{message.channel}/click/{click_token(message.pk)}/",
            )
        finally:
            simulation.now = sent_at
        self.activity.clicks[answer.status] += 1
        shopper = simulation.shopper_of(message.customer) if message.customer else None
        if answer.status != 302 or shopper is None:
            return
        self.wallet.give(shopper, message.coupon_code)
        kind = named(message.kind)
        if kind is ABANDONED_CHECKOUT:
            if self.rng.random() < COMPLETES_CHECKOUT:
                self.activity.resumed_checkouts += 1
                simulation.resume_checkout(
                    clicked_at + timedelta(minutes=self.rng.uniform(2, 20)),
                    shopper,
                    int(message.subject),
                )
        elif kind is WIN_BACK:
            self.activity.return_visits += 1
            simulation.visit(
                clicked_at + timedelta(minutes=1),
                shopper,
                Traffic(1, "journey", "email", kind.value),
            )
        elif self.rng.random() < WRITES_REVIEW:
            self.activity.reviews_written += 1
            self.reviews.write(
                message.channel,
                message.email,
                message.subject,
                clicked_at + timedelta(minutes=self.rng.uniform(3, 30)),
            )
