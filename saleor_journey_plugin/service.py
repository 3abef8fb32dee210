"""The one entry point every adapter uses: record an event, hand it to Celery."""

from django.db import transaction

from .core.events import JourneyEventData
from .core.recording import record_event
from .publishing import publisher


def track(data: JourneyEventData) -> int | None:
    """Log the event and queue its processing once the caller's transaction commits.

    Returns the new event's id, or None when the same fact was logged before.
    Never waits on the broker: if it is down, the event stays in the log and the
    periodic relay processes it.
    """
    event_id = record_event(data)
    if event_id is not None:
        transaction.on_commit(lambda: enqueue(event_id))
    return event_id


def enqueue(event_id: int) -> None:
    from .tasks import process_journey_event

    if process_journey_event.app.conf.task_always_eager:
        # Embedded mode (the example store's demo): no broker, process right here.
        process_journey_event.apply((event_id,))
    else:
        publisher.publish(process_journey_event, event_id)
