"""Shoppers opening accounts, proving their address, and changing it."""

from datetime import datetime
from typing import TYPE_CHECKING

from example_store.purchases import link_guest_orders
from saleor_journey_plugin.core.events import EventType, JourneyEventData, TouchChannel

from .people import Plan, Shopper

if TYPE_CHECKING:  # annotations only: the simulation holds the accounts
    from .store import Simulation

USER_ID_BASE = 1000


class Accounts:
    def __init__(self, simulation: "Simulation") -> None:
        self.sim = simulation

    def register(self, at: datetime, shopper: Shopper) -> None:
        if shopper.user_id:
            return
        sim = self.sim
        shopper.user_id = str(USER_ID_BASE + shopper.number)
        shopper.account_email = shopper.signup_email
        shopper.guest_orders = shopper.orders
        sim.add_account(shopper)
        sim.summary.accounts_created += 1
        if shopper.plan is Plan.REGISTERS_LATER and shopper.sessions:
            sim.summary.guests_registered += 1
        # Account creation is customer-wide: no channel, like Saleor's hook.
        sim.emit(
            at,
            EventType.ACCOUNT_CREATED,
            f"user:{shopper.user_id}:created",
            shopper.identity(),
            touch=TouchChannel.API,
        )
        if shopper.plan is Plan.REGISTERS_LATER:
            sim.clock.push(
                sim.clock.after(at, minutes=1), self.confirm, shopper, "confirmed"
            )

    def change_email(self, at: datetime, shopper: Shopper) -> None:
        # Back to the address they shopped with as a guest, typed in capitals.
        shopper.account_email = shopper.guest_email.upper()
        shopper.switched_email = True
        self.sim.summary.email_changes += 1
        self.sim.clock.push(at, self.confirm, shopper, "email")

    def confirm(self, at: datetime, shopper: Shopper, change: str) -> None:
        """The shopper proved the account's address (the confirmation link, or
        the one confirming a new address): the store links the guest orders
        placed with it, and reports the account as it is now."""
        link_guest_orders(shopper.user_id, shopper.account_email)
        self.sim.track(
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
