"""Publishing to the broker from inside a store's request, never waiting long.

Celery's own publisher retries a dead broker for seconds, and its transport
settings belong to the whole store. Ours keeps a separate connection that
fails at once; an event whose task was not published waits in the log for the
periodic task.
"""

import logging
import threading

from kombu.pools import producers

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT_SECONDS = 1.0


class Publisher:
    def __init__(self) -> None:
        self._connection = None
        self._lock = threading.Lock()

    def publish(self, task) -> bool:
        """Queue ``task()``; False (and a warning) if the broker is unreachable."""
        try:
            with producers[self._broker(task.app)].acquire(
                block=True, timeout=CONNECT_TIMEOUT_SECONDS
            ) as producer:
                task.apply_async(producer=producer, retry=False)
        except Exception:
            self.reset()
            logger.warning(
                "Broker unreachable; journey events wait for the periodic task",
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


publisher = Publisher()
