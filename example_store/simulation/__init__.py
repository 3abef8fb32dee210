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

The package, from the ground up: ``catalog`` (products, prices, channels,
where visitors come from), ``people`` (personas, identity plans, names),
``clock`` (the queue of scheduled actions and plausible moments), then the
behaviour: ``visits`` (sessions and checkouts), ``orders`` (payment, delivery,
refunds, reviews), ``accounts`` (sign-ups, confirmations, address changes) and
``lapses`` (the weekly check and win-back emails); ``store`` runs them tick by
tick and tracks their events; ``summary`` counts what happened.
"""

from datetime import datetime
from typing import Any

from .catalog import CURRENCIES, PRODUCTS, Traffic
from .extensions import CouponUse, Extension
from .people import Persona, Plan, Shopper
from .store import START, Simulation
from .summary import ChannelSummary, SimulationSummary

__all__ = [
    "CURRENCIES",
    "PRODUCTS",
    "START",
    "ChannelSummary",
    "CouponUse",
    "Extension",
    "Persona",
    "Plan",
    "Shopper",
    "Simulation",
    "SimulationSummary",
    "Traffic",
    "simulate",
]


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
