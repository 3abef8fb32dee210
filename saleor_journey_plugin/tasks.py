"""Celery tasks. Saleor's worker finds them by autodiscovery of plugin packages.

Importing this module also adds the periodic tasks to the Celery app's beat
schedule, so ``celery beat`` runs them without the store editing its settings.
"""

from datetime import timedelta

from celery import current_app, shared_task
from django.conf import settings
from django.utils import timezone

from .core.abandonment import record_abandonments
from .core.host import get_host
from .core.lapse import record_lapses
from .core.processing import process_safely
from .models import JourneyEvent

RELAY_BATCH = 1000
# An event failing this often needs a person (or a release), not another retry.
MAX_ATTEMPTS = 5


def _relay_grace() -> timedelta:
    # Younger events are most likely still on their way through the broker.
    return timedelta(seconds=getattr(settings, "JOURNEY_RELAY_GRACE_SECONDS", 60))


@shared_task(name="saleor_journey_plugin.process_journey_event", ignore_result=True)
def process_journey_event(event_id: int) -> bool:
    with get_host().writer():
        return process_safely(event_id)


@shared_task(name="saleor_journey_plugin.relay_unprocessed_events", ignore_result=True)
def relay_unprocessed_events() -> int:
    """Process events whose own task never ran (broker down, worker lost)."""
    cutoff = timezone.now() - _relay_grace()
    with get_host().writer():
        ids = list(
            JourneyEvent.objects.filter(
                processed_at__isnull=True,
                recorded_at__lte=cutoff,
                attempts__lt=MAX_ATTEMPTS,
            )
            .order_by("occurred_at", "id")
            .values_list("id", flat=True)[:RELAY_BATCH]
        )
        return sum(process_safely(event_id) for event_id in ids)


@shared_task(name="saleor_journey_plugin.detect_lapsed_customers", ignore_result=True)
def detect_lapsed_customers() -> int:
    with get_host().writer():
        return sum(process_safely(event_id) for event_id in record_lapses())


@shared_task(
    name="saleor_journey_plugin.detect_abandoned_checkouts", ignore_result=True
)
def detect_abandoned_checkouts() -> int:
    with get_host().writer():
        return sum(process_safely(event_id) for event_id in record_abandonments())


BEAT_SCHEDULE = {
    "journey-relay-unprocessed-events": {
        "task": relay_unprocessed_events.name,
        "schedule": timedelta(minutes=1),
        "options": {"expires": 55},
    },
    "journey-detect-abandoned-checkouts": {
        "task": detect_abandoned_checkouts.name,
        "schedule": timedelta(minutes=15),
        "options": {"expires": 850},
    },
    "journey-detect-lapsed-customers": {
        "task": detect_lapsed_customers.name,
        "schedule": timedelta(hours=1),
        "options": {"expires": 3500},
    },
}


def register_beat_schedule(app) -> None:
    """Add our periodic tasks, leaving any entry the store defined itself."""
    if app.conf.beat_schedule is None:
        app.conf.beat_schedule = {}
    schedule = app.conf.beat_schedule
    for name, entry in BEAT_SCHEDULE.items():
        schedule.setdefault(name, entry)


register_beat_schedule(current_app)
