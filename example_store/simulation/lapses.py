"""The plugin's weekly lapse check on the simulated clock, and the store's
win-back email for every new lapse."""

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from saleor_journey_plugin.core.events import EventType
from saleor_journey_plugin.core.host import get_host
from saleor_journey_plugin.core.lapse import record_lapses
from saleor_journey_plugin.core.processing import drain
from saleor_journey_plugin.core.stages import Stage
from saleor_journey_plugin.models import StageTransition

from .catalog import win_back_email

if TYPE_CHECKING:  # annotations only: the simulation schedules the checks
    from .store import Simulation

LAPSE_CHECK_EVERY = timedelta(days=7)
# The first check: a week in, in the early morning.
FIRST_CHECK_AFTER = LAPSE_CHECK_EVERY + timedelta(hours=2)


class LapseChecks:
    def __init__(self, simulation: "Simulation") -> None:
        self.sim = simulation

    def check(self, at: datetime) -> None:
        """The scheduled task, on the simulated clock; a win-back email per lapse."""
        sim = self.sim
        with get_host().writer():
            event_ids = record_lapses(now=at)
            drain()
        sim.summary.lapse_checks += 1
        sim.count_detected(EventType.LAPSE_DETECTED, event_ids)
        lapsed = StageTransition.objects.filter(
            event_id__in=event_ids, to_stage=Stage.LAPSED.value
        ).select_related("journey__customer")
        # Sorted here, not in SQL: databases disagree on where NULL user ids go.
        journeys = sorted(
            (t.journey for t in lapsed),
            key=lambda j: (j.channel, j.customer.user_id or "", j.customer.email),
        )
        campaign = win_back_email(f"{at:%Y-%m-%d}")
        for journey in journeys if sim.store_emails else ():
            shopper = sim.shopper_of(journey.customer)
            if shopper is None or shopper.channel != journey.channel:
                continue
            sim.summary.win_back_emails += 1
            if sim.rng.random() < 0.45:
                sim.clock.push(
                    sim.clock.days_later(at, 2, at_least=0.3),
                    sim.visits.session,
                    shopper,
                    campaign,
                    True,
                )
        sim.clock.push(at + LAPSE_CHECK_EVERY, self.check)
