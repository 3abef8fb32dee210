"""Whether a channel's rollups can answer a report, and rebuilding them."""

from django.db import connection, transaction

from ...core import timeline
from ...core.batch_lock import one_batch_at_a_time
from ...models import JourneyEvent, StageTransition
from ..period import Period
from .fold import fold_channel
from .models import ROLLUP_MODELS, RollupChannel
from .tallies import TALLIED, TALLIES


def usable(channel: str, period: Period) -> bool:
    """Whether the rollups hold the channel's applied events, in the period's zone.

    A channel without rollups yet has no applied event (channels that had
    some when the rollups were introduced got a row then, waiting for a
    rebuild), so the empty rollups are right for it.
    """
    if connection.vendor != "postgresql":
        return False
    state = RollupChannel.objects.filter(channel=channel).first()
    return state is None or (state.ready and state.time_zone == period.time_zone)


def rebuild(channel: str, time_zone: str) -> int:
    """Refold every applied event of the channel, with days in ``time_zone``.

    Holds the drain's batch lock for the whole rebuild, in one transaction:
    events are still recorded meanwhile, and applied once it is done. Returns
    how many events were folded.
    """
    with transaction.atomic():
        one_batch_at_a_time()
        for model in ROLLUP_MODELS:
            if model is not RollupChannel and model._meta.db_table not in TALLIED:
                model._default_manager.filter(channel=channel).delete()
        RollupChannel.objects.update_or_create(
            channel=channel, defaults={"time_zone": time_zone, "ready": True}
        )
        fold_channel(channel)
        folded = JourneyEvent.objects.filter(
            channel=channel, processed_at__isnull=False
        ).count()
        journeys = StageTransition.objects.filter(channel=channel).values_list(
            "journey_id", flat=True
        )
        timeline.refresh(set(journeys))
        for tally in TALLIES:
            tally.recount(channel)
    return folded
