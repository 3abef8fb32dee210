"""The hooks through which the demo adds campaigns, loyalty and reviews."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from saleor_journey_plugin.core.events import JourneyEventData

from .people import Shopper

if TYPE_CHECKING:  # annotations only: the simulation runs the extensions
    from .store import Simulation


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
        shopper: Shopper,
        checkout: int,
        total: Decimal,
        currency: str,
    ) -> CouponUse | None:
        """The code the shopper enters at checkout, if any."""
        return None
