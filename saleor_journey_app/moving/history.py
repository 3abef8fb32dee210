"""A tenant's Saleor past as journey events, read over GraphQL with its token.

The app's ``Host.history``: what ``journey_backfill`` records (the core's
``core/backfill.py`` batches, applies and puts journeys in time order). Every
event is built by the webhooks' own translation (``webhooks/translate.py``),
so a fact has the key its live delivery has, which is the plugin's key
(``core/keys.py``). Times are the ones the plugin's backfill reads from
Saleor's tables, as far as GraphQL shows them:

- an account (not staff): ``dateJoined``; its current state (email,
  confirmed) at ``updatedAt``, keyed by the state as the plugin's backfill
  keys it;
- a checkout still in Saleor (a completed one is deleted; its order stands for
  it): "started" at ``created`` (the plugin reads its first line's time, which
  GraphQL does not show), the details, the delivery method and full payment at
  ``lastChange``;
- an order: placed at ``created``; paid at its first ``ORDER_FULLY_PAID`` or
  ``ORDER_MARKED_AS_PAID`` event, or, fully charged without one, at its last
  successful charge; fulfilled at its last ``FULFILLMENT_FULFILLED_ITEMS``
  event, else its last fulfilment; cancelled at its ``CANCELED`` event;
  refunded (``totalRefunded``) at its last successful refund.

Pages of ``PAGE_SIZE`` are read as the events are consumed; each stream comes
sorted by its time and the streams are merged, oldest first.
"""

import heapq
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from saleor_journey_plugin.core.events import EventType, JourneyEventData

from ..saleor_api.calls import call
from ..tenants.models import Tenant
from ..webhooks import translate
from . import queries
from .queries import PAGE_SIZE

PAID_EVENTS = frozenset({"ORDER_FULLY_PAID", "ORDER_MARKED_AS_PAID"})
FULLY_CHARGED = frozenset({"FULL", "OVERCHARGED"})
# Orders that were fully fulfilled at some point (a return comes after it).
FULFILLED = frozenset({"FULFILLED", "PARTIALLY_RETURNED", "RETURNED"})
CANCELED = "CANCELED"

Timed = tuple[datetime, list[JourneyEventData]]


class SaleorHistory:
    """The events of ``channels`` (and every account), read lazily."""

    def __init__(
        self, tenant: Tenant, channels: list[str], since: datetime | None
    ) -> None:
        self.tenant = tenant
        self.channels = channels
        self.since = since

    def __iter__(self) -> Iterator[JourneyEventData]:
        streams = [
            self._accounts(),
            self._account_states(),
            *(self._checkouts(channel) for channel in self.channels),
            *(self._orders(channel) for channel in self.channels),
        ]
        for _, events in heapq.merge(*streams, key=lambda item: item[0]):
            for event in events:
                if self.since is None or event.occurred_at >= self.since:
                    yield event

    def __length_hint__(self) -> int:
        """About as many events as will come: each account twice, each
        checkout once and each order twice (placed, and mostly paid)."""
        accounts = self._count(queries.CUSTOMERS, "customers", self._joined())
        checkouts = orders = 0
        for channel in self.channels:
            checkouts += self._count(
                queries.CHECKOUTS, "checkouts", self._checkouts_vars(channel)
            )
            orders += self._count(queries.ORDERS, "orders", self._orders_vars(channel))
        return 2 * accounts + checkouts + 2 * orders

    def _accounts(self) -> Iterator[Timed]:
        for user in self._nodes(queries.CUSTOMERS, "customers", self._joined()):
            if not user.get("isStaff"):
                event = translate.account_created(user)
                yield event.occurred_at, [event]

    def _account_states(self) -> Iterator[Timed]:
        variables: dict[str, Any] = {"sort": "LAST_MODIFIED_AT"}
        if self.since is not None:
            variables["where"] = {"updatedAt": {"gte": self.since.isoformat()}}
        for user in self._nodes(queries.CUSTOMERS, "customers", variables):
            if not user.get("isStaff"):
                event = translate.account_state(user)
                yield event.occurred_at, [event]

    def _checkouts(self, channel: str) -> Iterator[Timed]:
        nodes = self._nodes(
            queries.CHECKOUTS, "checkouts", self._checkouts_vars(channel)
        )
        for checkout in nodes:
            created = translate.parse_time(checkout.get("created"))
            yield created, checkout_history(checkout)

    def _orders(self, channel: str) -> Iterator[Timed]:
        for order in self._nodes(queries.ORDERS, "orders", self._orders_vars(channel)):
            yield translate.parse_time(order.get("created")), order_history(order)

    def _joined(self) -> dict[str, Any]:
        variables: dict[str, Any] = {"sort": "CREATED_AT"}
        if self.since is not None:
            variables["where"] = {"dateJoined": {"gte": self.since.isoformat()}}
        return variables

    def _checkouts_vars(self, channel: str) -> dict[str, Any]:
        variables: dict[str, Any] = {"channel": channel}
        if self.since is not None:
            # Saleor filters a checkout's last change by day; the events'
            # times are filtered exactly.
            variables["filter"] = {"updatedAt": {"gte": self.since.date().isoformat()}}
        return variables

    def _orders_vars(self, channel: str) -> dict[str, Any]:
        variables: dict[str, Any] = {"channel": channel}
        if self.since is not None:
            # Placed earlier, it may have been paid, fulfilled or cancelled since.
            variables["where"] = {"updatedAt": {"gte": self.since.isoformat()}}
        return variables

    def _nodes(self, query: str, field: str, variables: dict) -> Iterator[dict]:
        after = None
        while True:
            page = self._page(query, field, {**variables, "after": after})
            for edge in page.get("edges") or []:
                yield edge["node"]
            info = page.get("pageInfo") or {}
            if not info.get("hasNextPage"):
                return
            after = info["endCursor"]

    def _count(self, query: str, field: str, variables: dict) -> int:
        return int(
            self._page(query, field, {**variables, "first": 1}).get("totalCount") or 0
        )

    def _page(self, query: str, field: str, variables: dict) -> dict:
        data = call(self.tenant, query, {"first": PAGE_SIZE, **variables})
        return data.get(field) or {}


def checkout_history(checkout: dict) -> list[JourneyEventData]:
    last_change = translate.parse_time(checkout.get("lastChange"))
    started = translate.parse_time(checkout.get("created"))
    events = [
        replace(
            event,
            occurred_at=started
            if event.type is EventType.CHECKOUT_STARTED
            else last_change,
        )
        for event in translate.checkout_milestones(checkout, last_change)
    ]
    if checkout.get("chargeStatus") in FULLY_CHARGED:
        events.extend(translate.checkout_paid(checkout, last_change))
    return events


def order_history(order: dict) -> list[JourneyEventData]:
    placed = translate.parse_time(order.get("created"))
    updated = translate.parse_time(order.get("updatedAt"))
    status = order.get("status")
    events = order.get("events") or []
    milestones: list[tuple[EventType, datetime]] = [(EventType.ORDER_PLACED, placed)]
    paid_at = _first(e.get("date") for e in events if e.get("type") in PAID_EVENTS)
    if paid_at or order.get("chargeStatus") in FULLY_CHARGED:
        # No paid event (an order imported or paid before Saleor logged one):
        # its last charge, and never before it was placed.
        charged = max(_last(_charges(order)) or placed, placed)
        milestones.append((EventType.ORDER_PAID, paid_at or charged))
    if status in FULFILLED:
        at = (
            _last(
                e.get("date")
                for e in events
                if e.get("type") == "FULFILLMENT_FULFILLED_ITEMS"
            )
            or _last(
                f.get("created")
                for f in order.get("fulfillments") or []
                if f.get("status") == "FULFILLED"
            )
            or updated
        )
        milestones.append((EventType.ORDER_FULFILLED, at))
    if status == CANCELED:
        cancelled = _first(e.get("date") for e in events if e.get("type") == "CANCELED")
        milestones.append((EventType.ORDER_CANCELLED, cancelled or updated))
    found = [translate.order_event(order, kind, at) for kind, at in milestones]
    if Decimal(str((order.get("totalRefunded") or {}).get("amount") or 0)) > 0:
        # The refund that brought the order to what it has had refunded now:
        # the live delivery's event for its latest refund, key and amount alike.
        found.append(translate.refund_event(order, _last(_refunds(order)) or updated))
    return [event for event in found if event is not None]


def _charges(order: dict) -> Iterator[Any]:
    for payment in order.get("payments") or []:
        for t in payment.get("transactions") or []:
            if t.get("kind") == "CAPTURE" and t.get("isSuccess"):
                yield t.get("created")
    for item in order.get("transactions") or []:
        for e in item.get("events") or []:
            if e.get("type") == "CHARGE_SUCCESS":
                yield e.get("createdAt")


def _refunds(order: dict) -> Iterator[Any]:
    for payment in order.get("payments") or []:
        for t in payment.get("transactions") or []:
            if t.get("kind") == "REFUND" and t.get("isSuccess"):
                yield t.get("created")
    for item in order.get("transactions") or []:
        for e in item.get("events") or []:
            if e.get("type") == "REFUND_SUCCESS":
                yield e.get("createdAt")


def _times(values: Any) -> list[datetime]:
    return [translate.parse_time(value) for value in values if value]


def _first(values: Any) -> datetime | None:
    return min(_times(values), default=None)


def _last(values: Any) -> datetime | None:
    return max(_times(values), default=None)
