"""The Saleor App as a real service beside a real Saleor, for the acceptance
test and its benchmark.

The app's Django settings cannot share a process with Saleor's, so the app runs
as it is deployed: gunicorn serving ``saleor_journey_app.wsgi`` on a free
loopback port and a Celery worker, both against the app's own database
(``APP_TEST_DATABASE_URL``, created afresh for each module) and its own Redis
(``APP_TEST_BROKER_URL``). They run on ``JOURNEY_APP_PYTHON`` (default: the
repository's ``.venv``, where gunicorn is installed with the ``app`` extra),
with this checkout first on ``PYTHONPATH``.

Saleor runs in the test process behind pytest-django's ``live_server``: its
public URL is the live server's, so the ``Saleor-Api-Url`` it signs for, the
JWKS and the GraphQL API the app calls back are real. Saleor's test settings
run Celery eagerly, so each webhook delivery task
(``send_webhook_request_async``, with the subscription payload and the JWS
``Saleor-Signature``) runs inside the mutation that triggers it, as Saleor's
worker would run it after that mutation. Its test settings also turn off the
HTTP IP filter (a deployment sets ``HTTP_IP_FILTER_ALLOW_LOOPBACK_IPS=True``
to reach a loopback app).
"""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
import requests
from django.core.management import call_command
from psycopg import sql

from tests.smtp_inbox import Inbox, smtp_server

REPO = Path(__file__).resolve().parents[2]
APP_DATABASE_URL = os.environ.get(
    "APP_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/journey_app_saleor"
)
APP_BROKER_URL = os.environ.get("APP_TEST_BROKER_URL", "redis://127.0.0.1:6379/12")
SALEOR_BROKER_URL = os.environ.get(
    "SALEOR_TEST_BROKER_URL", "redis://127.0.0.1:6379/10"
)
WEBHOOK_PLUGIN = "saleor.plugins.webhook.plugin.WebhookPlugin"
WAIT_SECONDS = 30


def app_python() -> str:
    configured = os.environ.get("JOURNEY_APP_PYTHON")
    if configured:
        return configured
    venv = REPO / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def wait_until(condition: Callable[[], Any], what: str, seconds: float = WAIT_SECONDS):
    """``condition()``'s first truthy answer; AssertionError after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database(url: str) -> tuple[str, dict[str, Any]]:
    parts = urlsplit(url)
    params = {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": parts.username or "postgres",
    }
    if parts.password:
        params["password"] = parts.password
    return parts.path.lstrip("/"), params


def _drop_database(url: str) -> None:
    name, params = _database(url)
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)
            )
        )


@dataclass
class AppService:
    """The running app: its URL, its database, its command line."""

    url: str
    saleor_api_url: str
    env: dict[str, str]
    logs: Path
    # What the app's emails reach: a real SMTP server in this process.
    inbox: Inbox

    @property
    def manifest_url(self) -> str:
        return f"{self.url}/api/manifest"

    def command(self, *args: str) -> str:
        """``python -m saleor_journey_app <args>`` as the deployment runs it."""
        done = subprocess.run(
            [app_python(), "-m", "saleor_journey_app", *args],
            env=self.env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode:
            raise AssertionError(f"{args[0]} failed:\n{done.stdout}{done.stderr}")
        return done.stdout

    def query(self, statement: str, params: tuple = (), schema: str = "") -> list:
        """Rows of a statement on the app's database (in a tenant's schema)."""
        name, connect = _database(self.env["DATABASE_URL"])
        with psycopg.connect(dbname=name, autocommit=True, **connect) as conn:
            if schema:
                conn.execute(
                    sql.SQL("SET search_path TO {}").format(sql.Identifier(schema))
                )
            return conn.execute(statement, params).fetchall()

    def tenant(self) -> tuple[int, str, bool]:
        """(id, schema, has a token) of the tenant this Saleor is."""
        rows = self.query(
            "SELECT id, app_token <> '' FROM journey_app_tenant "
            "WHERE saleor_api_url = %s",
            (self.saleor_api_url,),
        )
        assert len(rows) == 1, rows
        pk, installed = rows[0]
        return pk, f"tenant_{pk}", installed

    def tenant_rows(self, statement: str, params: tuple = ()) -> list:
        return self.query(statement, params, schema=self.tenant()[1])

    def log_tail(self, lines: int = 60) -> str:
        text = self.logs.read_text(errors="replace") if self.logs.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def saleor_api_url(live_server_url: str) -> str:
    """The API URL Saleor signs for when its PUBLIC_URL is the live server's."""
    parts = urlsplit(live_server_url)
    return urlunsplit((parts.scheme, parts.netloc, "/graphql/", "", ""))


@pytest.fixture
def saleor_for_app(live_server, settings):
    """Saleor served on the live server, sending webhooks (its WebhookPlugin)."""
    settings.PUBLIC_URL = live_server.url
    settings.PLUGINS = [*settings.PLUGINS, WEBHOOK_PLUGIN]
    return live_server


@pytest.fixture
def saleor_worker(saleor_for_app, settings):
    """Saleor's own Celery worker: Saleor's Celery app, not eager, on Redis,
    run by a worker thread. Webhook deliveries then leave from it (the
    ``send_webhook_request_async`` task), as from a deployment's worker, not
    inside the mutation that triggered them."""
    from celery.contrib.testing.worker import start_worker
    from saleor.celeryconf import app

    keys = ("CELERY_TASK_ALWAYS_EAGER", "CELERY_BROKER_URL")
    saved = {key: app.conf.get(key) for key in keys}
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf["CELERY_TASK_ALWAYS_EAGER"] = False
    app.conf["CELERY_BROKER_URL"] = SALEOR_BROKER_URL
    _forget_connections(app)
    # As a deployment's worker, it consumes the queues Saleor's settings name
    # (its test settings send checkout events to a queue of their own).
    queues = sorted(
        {app.conf.task_default_queue}
        | {
            name
            for name in (
                settings.WEBHOOK_CELERY_QUEUE_NAME,
                settings.WEBHOOK_DEFERRED_PAYLOAD_QUEUE_NAME,
                settings.CHECKOUT_WEBHOOK_EVENTS_CELERY_QUEUE_NAME,
                settings.ORDER_WEBHOOK_EVENTS_CELERY_QUEUE_NAME,
            )
            if name
        }
    )
    app.control.purge()
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, queues=queues):
            yield app
    finally:
        app.control.purge()
        for key, value in saved.items():
            app.conf[key] = value
        _forget_connections(app)
        # Not eager, the plugin's hooks posted on lines of their own.
        from saleor_journey_plugin.posting import poster
        from saleor_journey_plugin.relay import relay

        relay.wait_idle()
        poster.close_all()


def _forget_connections(app) -> None:
    """Drop the app's pooled broker connections, as Celery does after a fork:
    an earlier test's publish (``send_task`` publishes even when eager) made
    the pool with the broker of the time, and Saleor's deliveries would go
    there rather than to the worker's."""
    app._pool = None
    amqp = app.__dict__.get("amqp")  # a cached property, absent until used
    if amqp is not None:
        amqp._producer_pool = None


@pytest.fixture(scope="module")
def mirrors_on_the_test_database(django_db_setup) -> Iterator[None]:
    """Saleor reads through a "replica" alias that its tests make a mirror of
    the test database; Django points only this thread's connection at the
    mirror, so the live server's threads would open the replica's own (non
    test) database. Point every alias's settings at its test database."""
    from django.db import connections

    saved = {}
    for alias in connections:
        in_use = connections[alias].settings_dict["NAME"]
        saved[alias] = connections.settings[alias]["NAME"]
        connections.settings[alias]["NAME"] = in_use
    yield
    for alias, name in saved.items():
        connections.settings[alias]["NAME"] = name


@pytest.fixture(scope="module")
def app_service(
    mirrors_on_the_test_database, live_server, tmp_path_factory
) -> Iterator[AppService]:
    """The app's web server and worker, on a fresh database, for this module."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    api_url = saleor_api_url(live_server.url)
    logs = tmp_path_factory.mktemp("app") / "app.log"
    with smtp_server() as (inbox, smtp_port):
        yield from _serve(url, port, api_url, logs, inbox, smtp_port)


def _serve(
    url: str, port: int, api_url: str, logs: Path, inbox: Inbox, smtp_port: int
) -> Iterator[AppService]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]
        ),
        "DJANGO_SETTINGS_MODULE": "saleor_journey_app.settings",
        "DATABASE_URL": APP_DATABASE_URL,
        "CELERY_BROKER_URL": APP_BROKER_URL,
        "SECRET_KEY": "acceptance-test-" + "s" * 40,
        "APP_PORT": str(port),
        "APP_URL": url,
        "APP_ALLOWED_SALEOR_URLS": api_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}/",
        "DEFAULT_FROM_EMAIL": "shop@example.com",
        "LOG_LEVEL": "INFO",
    }
    _drop_database(APP_DATABASE_URL)
    service = AppService(
        url=url, saleor_api_url=api_url, env=env, logs=logs, inbox=inbox
    )
    service.command("journey_app_migrate", "-v0")
    python = app_python()
    subprocess.run(
        [python, "-m", "celery", "-A", "saleor_journey_app.celery:app", "purge", "-f"],
        env=env,
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    with logs.open("ab") as log:
        web = subprocess.Popen(
            [
                python,
                "-m",
                "gunicorn",
                "saleor_journey_app.wsgi",
                "-b",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--access-logfile",
                "-",
            ],
            env=env,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        worker = subprocess.Popen(
            [
                python,
                "-m",
                "celery",
                "-A",
                "saleor_journey_app.celery:app",
                "worker",
                "--pool=solo",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
            ],
            env=env,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until(lambda: _answers(service.manifest_url), "the app to serve")
        wait_until(lambda: "ready." in service.log_tail(200), "the worker")
        yield service
    finally:
        for process in (web, worker):
            process.terminate()
        for process in (web, worker):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=1).status_code == 200
    except requests.RequestException:
        return False


@pytest.fixture
def installed_app(saleor_for_app, app_service, channel_USD):
    """Saleor installs the app from its manifest URL, activated, and the app's
    journey is turned on in the channel (as ``journey_app_channel`` does)."""
    from saleor.app.models import App

    call_command("install_app", app_service.manifest_url, "--activate", "--quiet")
    app = App.objects.get(identifier="saleor.journey")
    app_service.command(
        "journey_app_channel",
        app_service.saleor_api_url,
        channel_USD.slug,
        "currency=USD",
    )
    return app
