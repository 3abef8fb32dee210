"""One demo run: the store, its mail and settings, the simulation and extensions."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from example_store.simulation import START, Simulation, SimulationSummary

from .campaigns import CampaignActivity, Campaigns
from .channels import demo_channels
from .clock import simulated_now
from .loyalty import Loyalty
from .mail import Mailbox, mailbox
from .reviews import ReviewDeliveries, Reviews
from .server import StoreServer, store_server
from .wallet import Wallet

TICK = timedelta(hours=6)


@dataclass(frozen=True)
class DemoRun:
    summary: SimulationSummary
    server: StoreServer
    mailbox: Mailbox
    campaigns: CampaignActivity
    reviews: ReviewDeliveries


@contextmanager
def demo_run(*, customers: int, days: int, seed: int, email: str) -> Iterator[DemoRun]:
    """Simulate the store with campaigns, reviews and loyalty on; the store,
    its settings and its mail stay up until the block ends (to report)."""
    with store_server() as server, demo_channels(server.url), mailbox(email) as box:
        wallet = Wallet()
        reviews = Reviews(seed, server)
        loyalty = Loyalty(seed, wallet)
        campaigns = Campaigns(seed, server, wallet, reviews)
        simulation = Simulation(
            customers=customers,
            days=days,
            seed=seed,
            start=START,
            extensions=(wallet, loyalty, reviews, campaigns),
            tick=TICK,
            store_emails=False,
        )
        with simulated_now(lambda: simulation.now):
            summary = simulation.run()
        yield DemoRun(
            summary=summary,
            server=server,
            mailbox=box,
            campaigns=campaigns.activity,
            reviews=reviews.deliveries,
        )
