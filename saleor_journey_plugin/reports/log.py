"""The event log as the reports read it: a channel's events in a period.

Two kinds of figure read it differently:

- Every figure counts the events the drain has applied (normally within
  seconds of recording): the rollups the reports read are kept by the drain,
  in the same transaction, so both always agree. Store facts (checkouts,
  orders, money, reviews) include erased customers' events (an erasure keeps
  amounts and ratings so that these stay right).
- Figures about customers (active customers, buyers, returning and repeat
  buyers) need ``customer_id``, which is set once an event is processed and
  cleared by an erasure: an event without one is nobody's.

Customer-wide events (channel ``''``: an account created or deleted) are not
tied to any channel and count in no channel's report: an account created is
not a visit to every channel.
"""

from datetime import datetime

from django.db.models import QuerySet, TextField
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from ..core.events import EventType
from ..models import JourneyEvent
from .period import Period

# Facts the plugin records while the customer does nothing: inferred from
# their silence, or a campaign email the store sent them. They are no activity.
INFERRED = (
    EventType.LAPSE_DETECTED,
    EventType.CHECKOUT_ABANDONED,
    EventType.EMAIL_SENT,
)


def channel_events(channel: str, *types: EventType) -> QuerySet[JourneyEvent]:
    """The channel's applied events (of ``types``, if given)."""
    events = JourneyEvent.objects.filter(channel=channel, processed_at__isnull=False)
    if types:
        events = events.filter(type__in=[t.value for t in types])
    return events


def during(events: QuerySet[JourneyEvent], period: Period) -> QuerySet[JourneyEvent]:
    return between(events, period.start_utc, period.end_utc)


def between(
    events: QuerySet[JourneyEvent], since: datetime | None, until: datetime
) -> QuerySet[JourneyEvent]:
    """Events at or after ``since`` (None: from the beginning) and before ``until``."""
    events = events.filter(occurred_at__lt=until)
    return events if since is None else events.filter(occurred_at__gte=since)


def touchpoints(channel: str) -> QuerySet[JourneyEvent]:
    """The channel's events that show a customer doing something.

    Every event of a customer's journey is a touchpoint, except those the
    plugin records when the customer does nothing (a lapse, an abandoned
    checkout, a campaign email sent to them): counting them would make a
    customer active by staying away.
    """
    return (
        channel_events(channel)
        .filter(customer_id__isnull=False)
        .exclude(type__in=[t.value for t in INFERRED])
    )


def payload_text(key: str) -> Cast:
    """The payload's ``key`` as text (NULL when absent).

    Cast to text so that comparisons are plain text comparisons on every
    database (SQLite otherwise reads the other side of ``=`` as JSON).
    PostgreSQL drops the cast: ``->>`` is text already, and the checkout
    token index still serves it.
    """
    return Cast(KeyTextTransform(key, "payload"), output_field=TextField())
