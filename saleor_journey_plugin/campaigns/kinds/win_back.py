"""Win-back: bring back a customer whose journey lapsed."""

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from ...core.events import EventType
from ...core.stages import Stage
from ...models import JourneyEvent, StageTransition
from ..models import CampaignMessage
from .base import CampaignKind, keep_latest, named, storefront_home

if TYPE_CHECKING:
    from ..settings import CampaignSettings


class WinBack(CampaignKind):
    value = "win_back"
    label = "Win-back"
    position = 2
    triggers = frozenset({EventType.LAPSE_DETECTED})
    default_steps = "0h:15%, 14d"
    needs_checkout = False
    reschedules = False

    def subjects(self, events: Sequence[JourneyEvent]) -> dict[int, str]:
        # The lapse episode: a LAPSE_DETECTED event that moved the customer
        # to LAPSED (a stale lapse event moved nobody).
        episodes = StageTransition.objects.filter(
            event_id__in=[event.pk for event in events],
            to_stage=Stage.LAPSED.value,
        ).values_list("event_id", flat=True)
        return {event_id: str(event_id) for event_id in episodes}

    def ended(self, messages: Sequence[CampaignMessage]) -> dict[int, str]:
        # Any paid order since the lapse.
        latest: dict[tuple[str, int | None], datetime] = {}
        for channel, customer_id, at in JourneyEvent.objects.filter(
            channel__in=sorted({m.channel for m in messages}),
            customer_id__in=sorted({m.customer_id for m in messages if m.customer_id}),
            occurred_at__gte=min(m.triggered_at for m in messages),
            type=EventType.ORDER_PAID.value,
        ).values_list("channel", "customer_id", "occurred_at"):
            keep_latest(latest, (channel, customer_id), at)
        ended = {}
        for m in messages:
            last = latest.get((m.channel, m.customer_id))
            if last is not None and last >= m.triggered_at:
                ended[m.pk] = "The customer paid for an order."
        return ended

    def link(self, subject: str, campaigns: "CampaignSettings") -> str:
        # No checkout to resume: the storefront's home page.
        return storefront_home(campaigns)


WIN_BACK = named(WinBack.value)
