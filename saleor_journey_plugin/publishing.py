"""Handing events to Celery from inside a store's request, never waiting long.

Celery's own publisher retries a dead broker for seconds, and its transport
settings belong to the whole store. Ours keeps a separate connection that
fails fast and, after a failure, stops trying for a while: meanwhile events
stay in the log and the periodic relay processes them.
"""

import logging
import threading
import time

from kombu.pools import producers

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT_SECONDS = 1.0
BACKOFF_SECONDS = 10.0


class Publisher:
    def __init__(self) -> None:
        self._connection = None
        self._down_until = 0.0
        self._lock = threading.Lock()

    def publish(self, task, event_id: int) -> bool:
        """Queue ``task(event_id)``; False if the broker is (recently) unreachable."""
        if time.monotonic() < self._down_until:
            return False
        try:
            with producers[self._broker(task.app)].acquire(
                block=True, timeout=CONNECT_TIMEOUT_SECONDS
            ) as producer:
                task.apply_async((event_id,), producer=producer, retry=False)
        except Exception:
            with self._lock:
                self._down_until = time.monotonic() + BACKOFF_SECONDS
                self._connection = None
            logger.warning(
                "Broker unreachable; journey event %s left for the relay",
                event_id,
                exc_info=True,
            )
            return False
        return True

    def _broker(self, app):
        with self._lock:
            if self._connection is None:
                options = dict(app.conf.broker_transport_options or {})
                options["max_retries"] = 0
                self._connection = app.connection_for_write(
                    transport_options=options, connect_timeout=CONNECT_TIMEOUT_SECONDS
                )
            return self._connection

    def reset(self) -> None:
        with self._lock:
            self._connection = None
            self._down_until = 0.0


publisher = Publisher()
