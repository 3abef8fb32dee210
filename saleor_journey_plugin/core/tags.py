"""What a host writes into the store's user metadata: one rule for every host.

``journey_stage`` is the stage of the customer's latest change, and
``journey_stage.<channel>`` each channel's stage (canonical names, lower case);
``loyalty_tier`` and ``loyalty_tier.<channel>`` likewise for tiers.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..models import Journey

STAGE_KEY = "journey_stage"
TIER_KEY = "loyalty_tier"


def stage_keys(journeys: "list[Journey]") -> dict[str, str]:
    """``journey_stage``: the latest change; ``journey_stage.<channel>``: each."""
    latest = max(
        journeys, key=lambda j: (j.stage_entered_at is not None, j.stage_entered_at)
    )
    keys = {STAGE_KEY: (latest.stage or "").lower()}
    for journey in journeys:
        keys[f"{STAGE_KEY}.{journey.channel}"] = (journey.stage or "").lower()
    return keys


def tier_keys(changes: list[tuple[str, str]]) -> dict[str, str]:
    """One user's (channel, new tier) changes, oldest first, as metadata."""
    patch: dict[str, str] = {}
    for channel, tier in changes:
        patch[TIER_KEY] = tier
        patch[f"{TIER_KEY}.{channel}"] = tier
    return patch
