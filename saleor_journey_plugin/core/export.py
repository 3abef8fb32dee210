"""Everything the plugin holds about one customer in a channel, as JSON.

The core exports what it keeps itself (the customer record, the journey, the
events); capabilities keeping personal data in tables of their own (reviews,
loyalty, campaigns) add a section through a listener registered from their
``connect()``, the way they forget it through ``erasure.on_erase``. The core
imports no capability.

Values are JSON's own: times in ISO 8601, amounts as decimal strings.
"""

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from ..models import Customer, Journey, JourneyEvent
from .events import EventType

# A customer's events grow with every page they view: the export holds the
# newest ones up to this many and says how many there are in all. The
# consent section below lists every opt-in and opt-out whatever the cap.
MAX_EXPORTED_EVENTS = 5000
CONSENT_EVENTS = (
    EventType.NEWSLETTER_OPT_IN.value,
    EventType.NEWSLETTER_OPT_IN_REQUESTED.value,
    EventType.UNSUBSCRIBED.value,
)

# (customer, channel) -> the capability's section of the export.
Exporter = Callable[[Customer, str], Any]
_EXPORTERS: dict[str, Exporter] = {}


def on_export(section: str, exporter: Exporter) -> None:
    """Add ``section`` to every export, as ``exporter`` answers it."""
    _EXPORTERS.setdefault(section, exporter)


def when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def amount(value: Decimal | None) -> str | None:
    return str(value) if value is not None else None


def export_customer(customer: Customer, channel: str) -> dict[str, Any]:
    """The customer's data in ``channel`` (and customer-wide, for events)."""
    data: dict[str, Any] = {
        "channel": channel,
        "customer": {
            "user_id": customer.user_id or None,
            "email": customer.email,
            "visitor_id": customer.visitor_id or None,
            "created_at": when(customer.created_at),
        },
        "journey": _journey(customer, channel),
        "events": _events(customer, channel),
        "consent": [
            _event(e)
            for e in _events_of(customer, channel).filter(type__in=CONSENT_EVENTS)
        ],
    }
    for section, exporter in _EXPORTERS.items():
        data[section] = exporter(customer, channel)
    return data


def _journey(customer: Customer, channel: str) -> dict[str, Any] | None:
    journey = Journey.objects.filter(customer=customer, channel=channel).first()
    if journey is None:
        return None
    return {
        "stage": journey.stage,
        "stage_entered_at": when(journey.stage_entered_at),
        "paid_orders": journey.paid_orders,
        "history": [
            {
                "from_stage": t.from_stage,
                "to_stage": t.to_stage,
                "occurred_at": when(t.occurred_at),
                "win_back": t.win_back,
                "event_type": t.event.type,
            }
            for t in journey.transitions.select_related("event").order_by(
                "occurred_at", "id"
            )
        ],
    }


def _events_of(customer: Customer, channel: str) -> QuerySet[JourneyEvent]:
    # Customer-wide events (an account created or deleted) have no channel.
    return JourneyEvent.objects.filter(
        customer=customer, channel__in=[channel, ""]
    ).order_by("-occurred_at", "-id")


def _events(customer: Customer, channel: str) -> dict[str, Any]:
    events = _events_of(customer, channel)
    items = [_event(e) for e in events[:MAX_EXPORTED_EVENTS]]
    total = len(items)
    if total == MAX_EXPORTED_EVENTS:
        total = events.count()
    return {"total": total, "items": items}


def _event(event: JourneyEvent) -> dict[str, Any]:
    """What happened and where from; not how the plugin processed it."""
    return {
        "type": event.type,
        "occurred_at": when(event.occurred_at),
        "channel": event.channel,
        "stage": event.stage or None,
        "touch_channel": event.touch_channel,
        "email": event.email,
        "visitor_id": event.visitor_id,
        "utm_source": event.utm_source,
        "utm_medium": event.utm_medium,
        "utm_campaign": event.utm_campaign,
        "referrer": event.referrer,
        "search_term": event.search_term,
        "payload": event.payload or {},
    }
