"""Finding checkouts that stopped short of an order: a pain point per checkout."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, Max, OuterRef
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone

from ..models import JourneyEvent
from .events import EventType, JourneyEventData, TouchChannel
from .recording import record_event

CHECKOUT_PROGRESS = (
    EventType.CHECKOUT_STARTED,
    EventType.CHECKOUT_DETAILS_ADDED,
    EventType.DELIVERY_METHOD_CHOSEN,
    EventType.CHECKOUT_PAID,
)
# Checkouts idle for longer than this have been looked at before, or deleted by
# the store (Saleor removes old checkouts); the window keeps the scan short.
LOOK_BACK = timedelta(days=30)
DEFAULT_ABANDONED_AFTER_HOURS = 24


def abandoned_after() -> timedelta:
    hours = getattr(
        settings,
        "JOURNEY_CHECKOUT_ABANDONED_AFTER_HOURS",
        DEFAULT_ABANDONED_AFTER_HOURS,
    )
    return timedelta(hours=hours)


def record_abandonments(now: datetime | None = None) -> list[int]:
    """Log CHECKOUT_ABANDONED for each checkout idle past the limit with no order.

    Keyed by checkout, so each abandoned checkout is one pain point however
    often this runs.
    """
    now = now or timezone.now()
    cutoff = now - abandoned_after()
    checkout = KeyTextTransform("checkout", "payload")
    since = cutoff - LOOK_BACK
    ordered = JourneyEvent.objects.annotate(token=checkout).filter(
        type=EventType.ORDER_PLACED.value,
        occurred_at__gte=since,
        token=OuterRef("token"),
    )
    # Found on an earlier run. Both lookups use the checkout token index.
    reported = JourneyEvent.objects.annotate(token=checkout).filter(
        type=EventType.CHECKOUT_ABANDONED.value, token=OuterRef("token")
    )
    idle = (
        JourneyEvent.objects.filter(
            type__in=[t.value for t in CHECKOUT_PROGRESS],
            occurred_at__gte=since,
            payload__has_key="checkout",
        )
        .annotate(token=checkout)
        .values("token", "channel")
        .annotate(
            last=Max("occurred_at"),
            owner_id=Max("customer_id"),
            user_id=Max("user_id"),
            email=Max("email"),
        )
        .filter(last__lt=cutoff)
        .exclude(Exists(ordered))
        .exclude(Exists(reported))
    )
    recorded = []
    for row in idle:
        event_id = record_event(
            JourneyEventData(
                type=EventType.CHECKOUT_ABANDONED,
                idempotency_key=f"checkout:{row['token']}:abandoned",
                occurred_at=row["last"] + abandoned_after(),
                channel=row["channel"],
                user_id=row["user_id"],
                email=row["email"],
                touch_channel=TouchChannel.API,
                payload={"checkout": row["token"]},
            ),
            customer_id=row["owner_id"],
        )
        if event_id is not None:
            recorded.append(event_id)
    return recorded
