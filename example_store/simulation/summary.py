"""What a run did: counts kept as it goes, and the plugin's outcome read after."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Q

from saleor_journey_plugin.core.events import EventType, JourneyEventData
from saleor_journey_plugin.core.stages import Stage
from saleor_journey_plugin.models import JourneyEvent, StageTransition


@dataclass
class ChannelSummary:
    channel: str
    currency: str
    shoppers: int = 0
    orders_placed: int = 0
    orders_paid: int = 0
    revenue: Decimal = Decimal(0)  # paid orders, before refunds
    lapses: int = 0
    win_backs: int = 0


@dataclass
class SimulationSummary:
    customers: int
    days: int
    seed: int
    start: datetime
    end: datetime
    events_recorded: int = 0
    events_by_type: Counter[str] = field(default_factory=Counter)
    accounts_created: int = 0
    guests_registered: int = 0  # accounts that claim an earlier guest's email
    email_changes: int = 0  # account address changed to an earlier guest address
    checkouts_started: int = 0
    checkouts_abandoned: int = 0
    orders_placed: int = 0
    orders_paid: int = 0
    orders_fulfilled: int = 0
    orders_cancelled: int = 0
    orders_refunded: int = 0
    reviews: int = 0
    lapse_checks: int = 0
    lapses: int = 0
    win_backs: int = 0
    win_back_emails: int = 0
    unprocessed_events: int = 0
    seconds: float = 0.0
    channels: dict[str, ChannelSummary] = field(default_factory=dict)

    def count(self, data: JourneyEventData) -> None:
        """One event the plugin recorded."""
        self.events_recorded += 1
        self.events_by_type[data.type.value] += 1
        if data.channel and data.type is EventType.ORDER_PAID:
            channel = self.channels[data.channel]
            channel.orders_paid += 1
            channel.revenue += Decimal(data.payload["total"])
        elif data.channel and data.type is EventType.ORDER_PLACED:
            self.channels[data.channel].orders_placed += 1

    def tally(self, first_event_id: int | None) -> None:
        """The totals by type, and from the database what the plugin made of
        the events from ``first_event_id`` on: unprocessed ones, lapses and
        win-backs per channel."""
        by_type = self.events_by_type
        self.checkouts_started = by_type[EventType.CHECKOUT_STARTED.value]
        self.orders_placed = by_type[EventType.ORDER_PLACED.value]
        self.orders_paid = by_type[EventType.ORDER_PAID.value]
        self.orders_fulfilled = by_type[EventType.ORDER_FULFILLED.value]
        self.orders_cancelled = by_type[EventType.ORDER_CANCELLED.value]
        self.orders_refunded = by_type[EventType.ORDER_REFUNDED.value]
        self.reviews = by_type[EventType.REVIEW_SUBMITTED.value]
        if first_event_id is None:
            return
        ours = JourneyEvent.objects.filter(pk__gte=first_event_id)
        self.unprocessed_events = ours.filter(
            Q(processed_at__isnull=True) | ~Q(last_error="")
        ).count()
        rows = (
            StageTransition.objects.filter(event_id__gte=first_event_id)
            .values("journey__channel")
            .annotate(
                lapses=Count("pk", filter=Q(to_stage=Stage.LAPSED.value)),
                win_backs=Count("pk", filter=Q(win_back=True)),
            )
        )
        for row in rows:
            channel = self.channels.get(row["journey__channel"])
            if channel is not None:
                channel.lapses = row["lapses"]
                channel.win_backs = row["win_backs"]
        self.lapses = sum(c.lapses for c in self.channels.values())
        self.win_backs = sum(c.win_backs for c in self.channels.values())
