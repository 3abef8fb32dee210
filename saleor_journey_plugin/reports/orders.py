"""Orders and money as the event log records them.

An order is named by its payload ``order_id`` and a checkout by its payload
``checkout`` (the checkout token): the Saleor adapter and the example store
both put them there, with ``total`` (the order's gross total as a string, e.g.
``"20.000"``) and ``currency`` on every order event. An ORDER_REFUNDED event is
Saleor's "fully refunded": its ``total`` is the refunded order's total. One
whose payload says ``"partial": true`` is a partial refund (``refunded`` says
how much so far), for loyalty: revenue leaves it out.

Revenue rules (Shopify "total sales", with the plugin's events):

- Gross sales are the totals of orders placed in the period that were not
  cancelled by the end of the period (an ORDER_CANCELLED event for the same
  ``order_id`` in the channel, at any time before the period ends).
  Cancellations are judged at the end of the report's period, so a report for
  a closed period does not change when an old order is cancelled later, and
  all-time revenue is exact.
- Refunds are the totals of ORDER_REFUNDED events in the period (partial
  refunds aside), except for
  orders cancelled by the end of the period: the cancellation already keeps
  their total out, and subtracting the refund too would count it twice (Saleor
  refunds the payment of an order cancelled after it was paid).
- Each total is rounded to the currency's decimal places before it is added.
  Only events in the report's currency are added (a Saleor channel has one
  currency, so this only drops events that carry none).

Erasure keeps ``total``, ``currency``, ``order_id`` and ``checkout`` (the
store's own ids, no personal data), so an erased customer's orders still
match their cancellations, refunds and checkouts.
"""

from datetime import datetime
from decimal import Decimal

from django.db.models import (
    DecimalField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.expressions import Expression
from django.db.models.functions import Cast, Round

from ..core.events import EventType
from ..models import JourneyEvent
from .log import between, channel_events, payload_text
from .money import check_currency, decimal_places, quantize

# Wide enough for any order total; the amount is rounded to the currency next.
_AMOUNT = DecimalField(max_digits=30, decimal_places=6)


def report_currency(channel: str, currency: str | None) -> str | None:
    """The currency the caller names, or the one the channel's orders carry.

    Without one from the caller, the currency of the channel's latest order
    placed is used; None when the channel has never had an order.
    """
    if currency is not None:
        return check_currency(currency)
    latest = (
        channel_events(channel, EventType.ORDER_PLACED)
        .annotate(currency_code=payload_text("currency"))
        .filter(currency_code__isnull=False)
        .exclude(currency_code="")
        .order_by("-occurred_at", "-id")
        .values_list("currency_code", flat=True)
        .first()
    )
    return latest.upper() if latest else None


def amount(currency: str) -> Expression:
    """An order event's ``total``, rounded to the currency's decimal places."""
    return Round(
        Cast(payload_text("total"), output_field=_AMOUNT),
        precision=decimal_places(currency),
    )


def in_currency(
    events: QuerySet[JourneyEvent], currency: str
) -> QuerySet[JourneyEvent]:
    return events.annotate(currency_code=payload_text("currency")).filter(
        currency_code=currency
    )


def cancelled_before(channel: str, moment: datetime) -> Exists:
    """Whether the outer event's order (annotated ``order_id``) was cancelled."""
    cancellations = (
        channel_events(channel, EventType.ORDER_CANCELLED)
        .filter(occurred_at__lt=moment)
        .annotate(cancelled_order_id=payload_text("order_id"))
        .filter(cancelled_order_id=OuterRef("order_id"))
    )
    return Exists(cancellations)


def placed(
    channel: str, since: datetime | None, until: datetime
) -> QuerySet[JourneyEvent]:
    """ORDER_PLACED events in ``[since, until)``, annotated with ``order_id``.

    Drafts never produce one, so these are the orders placed, cancelled or not.
    """
    events = between(channel_events(channel, EventType.ORDER_PLACED), since, until)
    return events.annotate(order_id=payload_text("order_id"))


def sales(
    channel: str, since: datetime | None, until: datetime, currency: str
) -> QuerySet[JourneyEvent]:
    """Orders placed in ``[since, until)`` and not cancelled before ``until``."""
    return in_currency(placed(channel, since, until), currency).filter(
        ~cancelled_before(channel, until)
    )


def refunds(
    channel: str, since: datetime | None, until: datetime, currency: str
) -> QuerySet[JourneyEvent]:
    """Refunds in ``[since, until)`` of orders not cancelled before ``until``."""
    events = between(
        channel_events(channel, EventType.ORDER_REFUNDED), since, until
    ).filter(Q(payload__partial__isnull=True) | ~Q(payload__partial=True))
    events = in_currency(events.annotate(order_id=payload_text("order_id")), currency)
    return events.filter(~cancelled_before(channel, until))


def total(events: QuerySet[JourneyEvent], currency: str) -> Decimal:
    """The sum of the events' rounded totals, in the currency's decimal places."""
    summed = events.aggregate(summed=Sum(amount(currency)))["summed"]
    return quantize(summed or Decimal(0), currency)


def revenue(
    channel: str, since: datetime | None, until: datetime, currency: str
) -> Decimal:
    """Gross sales of ``[since, until)`` minus its refunds (see the module doc)."""
    return total(sales(channel, since, until, currency), currency) - total(
        refunds(channel, since, until, currency), currency
    )
