"""Saleor's past as journey events: what ``journey_backfill`` records.

Every event is built by ``translate`` (the hooks' own functions, so the keys are
the hooks' keys), given the time Saleor's records show it happened:

- an account (not staff, as the live signal): ``date_joined``;
- a checkout still in the database (a completed one is deleted by Saleor; its
  order stands for it): its first line's ``created_at`` for "started", and
  ``last_change`` for the details, the delivery method and full payment, which
  Saleor does not date (the latest time they can have happened);
- an order (never a draft): placed at ``created_at``; paid at its first
  ``order_fully_paid`` or ``order_marked_as_paid`` order event, or, for a fully
  charged order without one, its last successful charge; fulfilled (its status
  is fulfilled, or returned after that) at its last
  ``fulfillment_fulfilled_items`` event or else its last fulfilment's
  ``created_at``; cancelled at its ``canceled`` event; refunded at its last
  refund, with what it has had refunded through payments and transactions
  (``refunds``): fully refunded once that reaches its total, as Saleor
  checks, else partially (the live hook's event for that latest refund).

Rows are read with ``.iterator()`` a chunk at a time; each stream is ordered by
time and the three are merged, so events come out roughly oldest first.
"""

import heapq
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import (
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce, Greatest
from saleor.account.models import User
from saleor.checkout import CheckoutChargeStatus
from saleor.checkout.models import Checkout, CheckoutLine
from saleor.order import FulfillmentStatus, OrderEvents, OrderStatus
from saleor.order.models import Fulfillment, Order, OrderEvent
from saleor.payment import TransactionEventType, TransactionKind
from saleor.payment.models import Transaction, TransactionEvent

from ..core.events import EventType, JourneyEventData
from . import refunds, translate
from .redemptions import order_discounts

CHUNK_SIZE = 1000

PAID_EVENTS = [OrderEvents.ORDER_FULLY_PAID, OrderEvents.ORDER_MARKED_AS_PAID]
CHECKOUT_FULLY_CHARGED = [CheckoutChargeStatus.FULL, CheckoutChargeStatus.OVERCHARGED]
# Orders that were fully fulfilled at some point (a return comes after it).
FULFILLED = [
    OrderStatus.FULFILLED,
    OrderStatus.PARTIALLY_RETURNED,
    OrderStatus.RETURNED,
]


class History:
    """The events, read lazily; ``len_hint`` counts roughly what will come."""

    def __init__(self, channels: list[str], since: datetime | None) -> None:
        self.channels = channels
        self.since = since

    def __iter__(self) -> Iterator[JourneyEventData]:
        streams = [
            self._accounts(),
            self._account_updates(),
            self._checkouts(),
            self._orders(),
        ]
        for _, events in heapq.merge(*streams, key=lambda item: item[0]):
            for event in events:
                if self.since is None or event.occurred_at >= self.since:
                    yield event

    def __length_hint__(self) -> int:
        orders = orders_in(self.channels, self.since)
        return (
            2 * users(self.since).count()
            + checkouts_in(self.channels, self.since).count()
            + orders.count()
            + orders.filter(
                Q(charge_status__in=translate.FULLY_CHARGED)
                | Q(events__type__in=PAID_EVENTS)
            )
            .distinct()
            .count()
            + orders.filter(status__in=[*FULFILLED, OrderStatus.CANCELED]).count()
        )

    def _accounts(self) -> Iterator[tuple[datetime, list[JourneyEventData]]]:
        rows = users(self.since).only("pk", "email", "date_joined")
        for user in rows.order_by("date_joined", "pk").iterator(CHUNK_SIZE):
            yield user.date_joined, [translate.account_created_event(user)]

    def _account_updates(self) -> Iterator[tuple[datetime, list[JourneyEventData]]]:
        """Each account as it is now: its email, and the guests Saleor linked
        to it since (a password reset links them and calls no plugin hook)."""
        rows = User.objects.filter(is_staff=False)
        if self.since:
            rows = rows.filter(updated_at__gte=self.since)
        rows = rows.only("pk", "email", "updated_at", "is_confirmed")
        for user in rows.order_by("updated_at", "pk").iterator(CHUNK_SIZE):
            yield user.updated_at, [translate.account_updated_event(user, "backfill")]

    def _checkouts(self) -> Iterator[tuple[datetime, list[JourneyEventData]]]:
        rows = checkouts_in(self.channels, self.since).annotate(
            channel_slug=F("channel__slug"),
            first_line_at=Subquery(
                CheckoutLine.objects.filter(checkout_id=OuterRef("pk"))
                .order_by("created_at")
                .values("created_at")[:1]
            ),
        )
        for checkout in rows.order_by("created_at", "pk").iterator(CHUNK_SIZE):
            yield checkout.created_at, checkout_history(checkout)

    def _orders(self) -> Iterator[tuple[datetime, list[JourneyEventData]]]:
        rows = with_milestone_times(orders_in(self.channels, self.since))
        for order in rows.order_by("created_at", "pk").iterator(CHUNK_SIZE):
            yield order.created_at, order_history(order)


def users(since: datetime | None) -> QuerySet[User]:
    rows = User.objects.filter(is_staff=False)
    return rows.filter(date_joined__gte=since) if since else rows


def checkouts_in(channels: list[str], since: datetime | None) -> QuerySet[Checkout]:
    rows = Checkout.objects.filter(channel__slug__in=channels).filter(
        Q(user__isnull=False) | (Q(email__isnull=False) & ~Q(email=""))
    )
    return rows.filter(last_change__gte=since) if since else rows


def orders_in(channels: list[str], since: datetime | None) -> QuerySet[Order]:
    rows = Order.objects.non_draft().filter(channel__slug__in=channels)
    # An order placed earlier may have been paid, fulfilled or cancelled since.
    return (
        rows.filter(Q(created_at__gte=since) | Q(updated_at__gte=since))
        if since
        else rows
    )


def checkout_history(checkout: Any) -> list[JourneyEventData]:
    channel = checkout.channel_slug
    events = translate.checkout_events(
        checkout,
        channel,
        occurred_at={
            "started": checkout.first_line_at or checkout.created_at,
            "details": checkout.last_change,
            "delivery": checkout.last_change,
        },
        has_lines=checkout.first_line_at is not None,
    )
    if checkout.charge_status in CHECKOUT_FULLY_CHARGED:
        paid = translate.checkout_paid_event(checkout, channel, checkout.last_change)
        if paid is not None:
            events.append(paid)
    return events


def _latest(times: list[datetime | None]) -> datetime | None:
    known = [moment for moment in times if moment is not None]
    return max(known) if known else None


def order_history(order: Any) -> list[JourneyEventData]:
    milestones: list[tuple[EventType, datetime]] = [
        (EventType.ORDER_PLACED, order.created_at)
    ]
    if order.paid_at or order.charge_status in translate.FULLY_CHARGED:
        # No paid event (an order imported or paid before Saleor logged one):
        # its last charge, and never before it was placed.
        charged = max(order.charged_at or order.created_at, order.created_at)
        milestones.append((EventType.ORDER_PAID, order.paid_at or charged))
    if order.status in FULFILLED:
        at = order.fulfilled_event_at or order.fulfilment_at or order.updated_at
        milestones.append((EventType.ORDER_FULFILLED, at))
    if order.status == OrderStatus.CANCELED:
        milestones.append(
            (EventType.ORDER_CANCELLED, order.cancelled_at or order.updated_at)
        )
    channel = order.channel_slug
    events = [
        translate.order_event(order, event_type, channel, at)
        for event_type, at in milestones
    ]
    if order.refunded > 0:
        # The refund that brought the order to what it has had refunded now:
        # the live hook's event for its latest refund, key and amount alike.
        at = _latest([order.refund_payment_at, order.refund_transaction_at])
        events.append(
            translate.refund_event(
                order, channel, order.refunded, at or order.updated_at
            )
        )
    return [event for event in events if event is not None]


def _order_events(types: list[str]) -> QuerySet[OrderEvent]:
    return OrderEvent.objects.filter(order_id=OuterRef("pk"), type__in=types)


def _first(rows: QuerySet, column: str) -> Subquery:
    return Subquery(rows.order_by(column).values(column)[:1])


def _last(rows: QuerySet, column: str) -> Subquery:
    return Subquery(rows.order_by(f"-{column}").values(column)[:1])


def with_milestone_times(orders: QuerySet[Order]) -> QuerySet[Order]:
    """One query: each order with the times its milestones happened."""
    payment_refunds = refunds.payment_refunds()
    captures = Transaction.objects.filter(
        payment__order_id=OuterRef("pk"), kind=TransactionKind.CAPTURE, is_success=True
    )
    transaction_refunds = TransactionEvent.objects.filter(
        transaction__order_id=OuterRef("pk"), type=TransactionEventType.REFUND_SUCCESS
    )
    charges = TransactionEvent.objects.filter(
        transaction__order_id=OuterRef("pk"), type=TransactionEventType.CHARGE_SUCCESS
    )
    return orders.annotate(
        channel_slug=F("channel__slug"),
        paid_at=_first(_order_events(PAID_EVENTS), "date"),
        charged_at=Greatest(
            _last(captures, "created_at"), _last(charges, "created_at")
        ),
        fulfilled_event_at=_last(
            _order_events([OrderEvents.FULFILLMENT_FULFILLED_ITEMS]), "date"
        ),
        fulfilment_at=_last(
            Fulfillment.objects.filter(
                order_id=OuterRef("pk"), status=FulfillmentStatus.FULFILLED
            ),
            "created_at",
        ),
        cancelled_at=_first(_order_events([OrderEvents.CANCELED]), "date"),
        refunded=refunds.refunded(),
        refund_payment_at=_last(payment_refunds, "created_at"),
        refund_transaction_at=_last(transaction_refunds, "created_at"),
        # What the order-placed event says the voucher took off (as the hook).
        voucher_discount=Coalesce(
            refunds.sum_of(order_discounts(OuterRef("pk"))[0], "amount_value"),
            Decimal(0),
            output_field=refunds.MONEY,
        )
        + Coalesce(
            refunds.sum_of(order_discounts(OuterRef("pk"))[1], "amount_value"),
            Decimal(0),
            output_field=refunds.MONEY,
        ),
    )
