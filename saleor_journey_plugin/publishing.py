"""Publishing to the broker from a store's process, never waiting long.

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
        return self.send(task.app, task.name)

    def send(self, app, name: str, countdown: float = 0.0) -> bool:
        """Queue the task called ``name`` to start in ``countdown`` seconds."""
        try:
            with producers[self._broker(app)].acquire(
                block=True, timeout=CONNECT_TIMEOUT_SECONDS
            ) as producer:
                app.send_task(
                    name, producer=producer, retry=False, countdown=countdown or None
                )
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
