"""Saleor's Celery app as a deployment runs it: not eager, on a real Redis."""

from collections.abc import Iterator
from contextlib import contextmanager

from celery import Celery

from saleor_journey_plugin.posting import poster
from saleor_journey_plugin.publishing import publisher
from saleor_journey_plugin.relay import relay
from saleor_journey_plugin.tasks import process_pending_events

KEYS = ("CELERY_TASK_ALWAYS_EAGER", "CELERY_BROKER_URL")


@contextmanager
def not_eager(broker_url: str) -> Iterator[Celery]:
    """Saleor's Celery app not eager, on ``broker_url``, with no line of the
    plugin's open. On the way out: the relay idle, the lines it opened
    closed (they hold the test database), the queue empty, the app as it
    was."""
    app = process_pending_events.app
    saved = {key: app.conf.get(key) for key in KEYS}
    app.conf["CELERY_TASK_ALWAYS_EAGER"] = False
    app.conf["CELERY_BROKER_URL"] = broker_url
    publisher.reset()
    poster.close_all()
    app.control.purge()
    try:
        yield app
        assert relay.wait_idle()
    finally:
        poster.close_all()
        app.control.purge()
        for key, value in saved.items():
            app.conf[key] = value
        publisher.reset()
