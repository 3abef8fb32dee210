"""A real Celery worker process for end-to-end tests, on the test database
and the test broker."""

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection

from example_store.celery import app as celery_app
from saleor_journey_plugin.models import ProcessingRequest
from saleor_journey_plugin.publishing import publisher

WAIT_SECONDS = 30


@contextmanager
def running_worker(
    settings_module: str = "tests.settings",
    *,
    app: Any = None,
    app_path: str = "example_store.celery:app",
    **environment: str,
) -> Iterator[subprocess.Popen]:
    """A worker process of the Celery app at ``app_path`` (``app`` is that
    app here, to purge and ping it), with ``settings_module`` and extra
    ``environment``."""
    app = app or celery_app
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
    app.control.purge()
    publisher.reset()
    if app is celery_app:
        # A request left by an earlier test names a task that was purged
        # (a tenant's request lives in its own schema).
        ProcessingRequest.objects.all().delete()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            app_path,
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
        wait_until(lambda: app.control.ping(timeout=0.5), "worker to start")
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
