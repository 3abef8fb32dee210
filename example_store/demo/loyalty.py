"""Loyalty's chores on the simulated clock, and customers spending their points.

Points are earned as the worker applies paid orders, refunds and verified
reviews (the plugin does that by itself). What a store schedules runs here on
the simulated clock: every day the expiry of unspent points and the tiers
that lapse, as the plugin's daily tasks; every week some customers with enough
points turn them into a voucher code through the same redemption the
``redeemLoyaltyPoints`` mutation uses, and use it on their next order.
"""

import random
from datetime import datetime, timedelta

from example_store.simulation import Extension, Simulation
from saleor_journey_plugin.core.host import get_host
from saleor_journey_plugin.loyalty.ledger import expire_all_due, refresh_tiers
from saleor_journey_plugin.loyalty.models import LoyaltyAccount
from saleor_journey_plugin.loyalty.redemption import redeem_for_coupon

from .wallet import Wallet

DAY = timedelta(days=1)
WEEK = timedelta(days=7)
# Of the customers who could redeem, how many do in a given week.
REDEEMS = 0.3


class Loyalty(Extension):
    def __init__(self, seed: int, wallet: Wallet) -> None:
        self.rng = random.Random(f"loyalty:{seed}")
        self.wallet = wallet

    def on_tick(self, simulation: Simulation, at: datetime) -> None:
        since = at - simulation.start
        if since % DAY or not since:
            return
        expire_all_due(now=at)
        refresh_tiers(now=at)
        if not since % WEEK:
            self._redeem(simulation, at)

    def _redeem(self, simulation: Simulation, at: datetime) -> None:
        host = get_host()
        accounts = LoyaltyAccount.objects.filter(
            customer__isnull=False, balance__gt=0
        ).select_related("customer")
        for account in accounts.order_by("channel", "customer_id"):
            settings = host.channel_settings(account.channel)
            loyalty = settings.loyalty if settings else None
            if loyalty is None or not loyalty.enabled:
                continue
            points = (
                account.balance
                // loyalty.min_redeem_points
                * (loyalty.min_redeem_points)
            )
            shopper = simulation.shopper_of(account.customer)
            if not points or shopper is None or self.rng.random() >= REDEEMS:
                continue
            assert settings is not None and account.customer_id is not None
            redemption = redeem_for_coupon(
                account.channel,
                account.customer_id,
                points,
                loyalty,
                settings.currency,
                now=at,
            )
            self.wallet.give(shopper, redemption.code)
