"""A real Celery worker process for end-to-end tests, on the test database
and the test broker."""

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import connection

from example_store.celery import app as celery_app
from saleor_journey_plugin.models import ProcessingRequest
from saleor_journey_plugin.publishing import publisher

WAIT_SECONDS = 30


@contextmanager
def running_worker(
    settings_module: str = "tests.settings", **environment: str
) -> Iterator[subprocess.Popen]:
    """A worker process with ``settings_module`` and extra ``environment``."""
    settings = connection.settings_dict
    env = {
        **os.environ,
        **environment,
        "DJANGO_SETTINGS_MODULE": settings_module,
        "DATABASE_URL": (
            f"postgres://{settings['USER']}@{settings['HOST']}:"
            f"{settings['PORT'] or 5432}/{settings['NAME']}"
        ),
    }
    celery_app.control.purge()
    publisher.reset()
    # A request left by an earlier test names a task that was purged.
    ProcessingRequest.objects.all().delete()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "example_store.celery:app",
            "worker",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=WARNING",
        ],
        env=env,
    )
    try:
        wait_until(lambda: celery_app.control.ping(timeout=0.5), "worker to start")
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)


def wait_until(condition: Callable[[], object], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"Timed out waiting for {what}")
