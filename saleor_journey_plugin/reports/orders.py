"""Orders and money as the event log records them.

An order is named by its payload ``order_id`` and a checkout by its payload
``checkout`` (the checkout token): the Saleor adapter and the example store
both put them there, with ``total`` (the order's gross total as a string, e.g.
``"20.000"``) and ``currency`` on every order event. An ORDER_REFUNDED event
says what its order has had refunded so far (``refunded``, cumulative), and
``"partial": true`` while that is less than the total; one without
``refunded`` (older events, the example store) refunds the whole order.

Revenue rules (Shopify "total sales", with the plugin's events):

- Gross sales are the totals of orders placed in the period that were not
  cancelled by the end of the period (an ORDER_CANCELLED event for the same
  ``order_id`` in the channel, at any time before the period ends).
  Cancellations are judged at the end of the report's period, so a report for
  a closed period does not change when an old order is cancelled later, and
  all-time revenue is exact.
- Refunds are the ORDER_REFUNDED events in the period, each taking off what it
  added to its order's refunds: its ``refunded`` (capped at the order's
  ``total``; without ``refunded``, the total) less the most any earlier refund
  event of the order (by ``occurred_at``, then id, at any time) said, never
  below zero. A redelivered or late refund that says no more than an earlier
  one takes nothing; all of an order's refunds together never take more than
  its total. A refund counts in the period it is recorded in, wherever the
  order was placed. Refunds of orders cancelled by the end of the period are
  left out: the cancellation already keeps their total out, and subtracting
  the refund too would count it twice (Saleor refunds the payment of an order
  cancelled after it was paid).
- Each amount is rounded to the currency's decimal places before it is used.
  Only events in the report's currency are added (a Saleor channel has one
  currency, so this only drops events that carry none).

Erasure keeps ``total``, ``currency``, ``refunded``, ``partial``,
``order_id`` and ``checkout`` (the store's own ids and amounts, no personal
data), so an erased customer's orders still match their cancellations,
refunds and checkouts, and revenue does not change.
"""

from datetime import datetime
from decimal import Decimal

from django.db.models import (
    Case,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import Expression
from django.db.models.functions import Cast, Coalesce, Greatest, Least, Round

from ..core.events import EventType
from ..models import JourneyEvent
from .log import between, channel_events, payload_text
from .money import check_currency, decimal_places, quantize

# Wide enough for any order total; the amount is rounded to the currency next.
_AMOUNT = DecimalField(max_digits=30, decimal_places=6)
_ZERO = Value(Decimal(0), output_field=_AMOUNT)
# A payload amount the reports can read as a number (the rollups' fold reads
# the same ones); anything else is as if absent.
NUMBER = r"^\s*[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?\s*$"
# Refunds that are not partial: Saleor's "fully refunded", or an older event
# without the flag. Campaign credit is void from one of these.
NOT_PARTIAL = Q(payload__partial__isnull=True) | ~Q(payload__partial=True)


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


def refunded_so_far(currency: str) -> Expression:
    """What a refund event says its order has had refunded so far, rounded to
    the currency: its ``refunded``, or its ``total`` without one (a full
    refund), from zero up to its ``total``."""
    places = decimal_places(currency)
    total = amount(currency)
    refunded = Case(
        When(
            payload__refunded__regex=NUMBER,
            then=Round(
                Cast(payload_text("refunded"), output_field=_AMOUNT), precision=places
            ),
        ),
        output_field=_AMOUNT,
    )
    # Every argument coalesced: SQLite's min and max are NULL with a NULL.
    capped = Coalesce(Least(Coalesce(refunded, total), Coalesce(total, _ZERO)), _ZERO)
    return Greatest(_ZERO, capped)


def refund_increment(channel: str, currency: str) -> Expression:
    """What the outer refund event (annotated ``order_id``) adds to its
    order's refunds: what it says so far, less the most any earlier refund of
    the order said (none: zero), never below zero."""
    earlier = (
        in_currency(channel_events(channel, EventType.ORDER_REFUNDED), currency)
        .annotate(earlier_order_id=payload_text("order_id"))
        .filter(earlier_order_id=OuterRef("order_id"))
        .filter(
            Q(occurred_at__lt=OuterRef("occurred_at"))
            | Q(occurred_at=OuterRef("occurred_at"), pk__lt=OuterRef("pk"))
        )
        .annotate(so_far=refunded_so_far(currency))
        .order_by(F("so_far").desc())
        .values("so_far")[:1]
    )
    most = Coalesce(Subquery(earlier, output_field=_AMOUNT), _ZERO)
    return Greatest(_ZERO, refunded_so_far(currency) - most)


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
    """Refunds in ``[since, until)`` of orders not cancelled before ``until``,
    partial or full, annotated with what each takes off revenue (``refund``)."""
    events = between(channel_events(channel, EventType.ORDER_REFUNDED), since, until)
    events = in_currency(events.annotate(order_id=payload_text("order_id")), currency)
    return events.filter(~cancelled_before(channel, until)).annotate(
        refund=refund_increment(channel, currency)
    )


def total(events: QuerySet[JourneyEvent], currency: str) -> Decimal:
    """The sum of the events' rounded totals, in the currency's decimal places."""
    summed = events.aggregate(summed=Sum(amount(currency)))["summed"]
    return quantize(summed or Decimal(0), currency)


def refunded(events: QuerySet[JourneyEvent], currency: str) -> Decimal:
    """The sum of the ``refund`` of ``refunds()``, in the currency's places."""
    summed = events.aggregate(summed=Sum("refund"))["summed"]
    return quantize(summed or Decimal(0), currency)


def revenue(
    channel: str, since: datetime | None, until: datetime, currency: str
) -> Decimal:
    """Gross sales of ``[since, until)`` minus its refunds (see the module doc)."""
    return total(sales(channel, since, until, currency), currency) - refunded(
        refunds(channel, since, until, currency), currency
    )
