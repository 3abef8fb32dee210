"""Abandoned checkout: remind a shopper of the checkout they left."""

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Q
from django.db.models.fields.json import KeyTextTransform

from ...core.events import EventType
from ...models import JourneyEvent
from ..models import CampaignMessage
from .base import CampaignKind, keep_latest, named, storefront_page

if TYPE_CHECKING:
    from ..settings import CampaignSettings


class AbandonedCheckout(CampaignKind):
    value = "abandoned_checkout"
    label = "Abandoned checkout"
    position = 1
    triggers = frozenset(
        {
            EventType.CHECKOUT_STARTED,
            EventType.CHECKOUT_DETAILS_ADDED,
            EventType.DELIVERY_METHOD_CHOSEN,
        }
    )
    default_steps = "1h, 24h:10%, 72h"
    needs_checkout = True
    # The steps count from the checkout's last change.
    reschedules = True

    def subjects(self, events: Sequence[JourneyEvent]) -> dict[int, str]:
        return {
            event.pk: str(checkout)
            for event in events
            if (checkout := (event.payload or {}).get("checkout"))
        }

    def ended(self, messages: Sequence[CampaignMessage]) -> dict[int, str]:
        # An order from the checkout, or any order by the same customer since
        # the checkout's last change.
        customers = sorted({m.customer_id for m in messages if m.customer_id})
        since = min(m.triggered_at for m in messages)
        placed = (
            JourneyEvent.objects.filter(
                channel__in=sorted({m.channel for m in messages})
            )
            .annotate(token=KeyTextTransform("checkout", "payload"))
            .filter(
                Q(token__in=sorted({m.subject for m in messages}))
                | Q(customer_id__in=customers, occurred_at__gte=since),
                type=EventType.ORDER_PLACED.value,
            )
            .values_list("channel", "token", "customer_id", "occurred_at")
        )
        tokens: set[tuple[str, str]] = set()
        latest: dict[tuple[str, int | None], datetime] = {}
        for channel, token, customer_id, at in placed:
            tokens.add((channel, token))
            keep_latest(latest, (channel, customer_id), at)
        ended = {}
        for m in messages:
            last = latest.get((m.channel, m.customer_id))
            if (m.channel, m.subject) in tokens or (
                last is not None and last >= m.triggered_at
            ):
                ended[m.pk] = "An order was placed."
        return ended

    def link(self, subject: str, campaigns: "CampaignSettings") -> str:
        return storefront_page(campaigns.checkout_url_template, "{token}", subject)


ABANDONED_CHECKOUT = named(AbandonedCheckout.value)
