from datetime import UTC, datetime, timedelta

import pytest

from saleor_journey_plugin.core.events import EventType, JourneyEventData
from saleor_journey_plugin.core.processing import process_event
from saleor_journey_plugin.core.recording import record_event

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
CHANNEL = "web-usd"


class Store:
    """Records and processes events the way the Celery task does, in order."""

    def __init__(self) -> None:
        self.clock = T0

    def event(
        self,
        event_type: EventType,
        key: str,
        *,
        email: str = "",
        user_id: str = "",
        channel: str = CHANNEL,
        days: float = 0,
        payload: dict | None = None,
        process: bool = True,
    ) -> int | None:
        self.clock += timedelta(days=days)
        event_id = record_event(
            JourneyEventData(
                type=event_type,
                idempotency_key=key,
                occurred_at=self.clock,
                channel=channel,
                email=email,
                user_id=user_id,
                payload=payload or {},
            )
        )
        if event_id is not None and process:
            process_event(event_id)
        return event_id


@pytest.fixture
def store(db):
    return Store()
