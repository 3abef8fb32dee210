"""``python -m benchmarks.app_webhooks``: the Saleor App's webhook handler and
its drain, on PostgreSQL, with the app's own settings.

1. The handler: BENCH_APP_WEBHOOKS signed ``ORDER_CREATED`` deliveries (each a
   new order of one of a fifth as many customers) posted one after the other
   through Django's handler, as gunicorn's worker runs it: size check, tenant
   lookup, JWS check (RS256 against the cached JWKS of a loopback stand-in
   Saleor), translation, the INSERT, and the relay's poke. Timed per request
   around the handler (perf_counter), after 50 deliveries of warm-up.
2. The drain: the events those deliveries recorded, applied by the core's
   ``drain()`` as the tenant (what the worker's task runs); events per second.
   Its metadata writes are published to the broker, not sent.

Each run drops and recreates BENCH_APP_DATABASE_URL's database (default
journey_app_bench) and purges BENCH_APP_BROKER_URL (default Redis db 13).
Prints a table to stdout, progress to stderr. DEBUG=0, as in production.
"""

import json
import os
import sys
import time
import uuid
from urllib.parse import urlsplit

DATABASE_URL = os.environ.get(
    "BENCH_APP_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/journey_app_bench"
)
BROKER_URL = os.environ.get("BENCH_APP_BROKER_URL", "redis://127.0.0.1:6379/13")
DELIVERIES = int(os.environ.get("BENCH_APP_WEBHOOKS", "2000"))
WARM_UP = 50
CHANNEL = "default-channel"


def _configure() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "saleor_journey_app.settings"
    os.environ["DATABASE_URL"] = DATABASE_URL
    os.environ["CELERY_BROKER_URL"] = BROKER_URL
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "benchmark-only-" + "b" * 40)
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()


def _recreate_database() -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(DATABASE_URL)
    with psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        dbname="postgres",
        autocommit=True,
    ) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(parts.path.lstrip("/"))
            )
        )


def _order_body(user_pk: int) -> bytes:
    from saleor_journey_app.saleor_api.calls import global_id

    return json.dumps(
        {
            "__typename": "OrderCreated",
            "issuedAt": "2026-03-01T09:00:00.123456+00:00",
            "order": {
                "id": global_id("Order", str(uuid.uuid4())),
                "status": "UNFULFILLED",
                "origin": "CHECKOUT",
                "created": "2026-03-01T08:59:00+00:00",
                "userEmail": f"customer-{user_pk}@example.com",
                "user": {"id": global_id("User", str(user_pk))},
                "channel": {"slug": CHANNEL},
                "checkoutId": None,
                "voucherCode": None,
                "total": {
                    "gross": {"amount": 50.0, "currency": "USD"},
                    "net": {"amount": 40.65},
                },
                "totalRefunded": {"amount": 0.0},
                "discounts": [],
                "lines": [{"discounts": []}],
            },
        }
    ).encode()


def main() -> None:
    _configure()
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from saleor_journey_app.celery import app as celery_app
    from saleor_journey_app.tenants.models import Tenant
    from saleor_journey_app.tenants.schemas import activated, create_schema
    from saleor_journey_plugin.core.processing import drain
    from saleor_journey_plugin.models import Journey, JourneyEvent
    from saleor_journey_plugin.relay import relay
    from tests.app.fake_saleor import FakeSaleor

    from .stats import Table, percentile

    print("Recreating the app's database ...", file=sys.stderr, flush=True)
    _recreate_database()
    call_command("journey_app_migrate", verbosity=0)
    celery_app.control.purge()
    saleor = FakeSaleor(token="benchmark-token", app_id="QXBwOjE=").start()
    tenant = Tenant.objects.create(
        saleor_api_url=saleor.api_url,
        app_token=saleor.token,
        saleor_app_id=saleor.app_id,
        channels={CHANNEL: {"currency": "USD"}},
        registered_at=timezone.now(),
    )
    create_schema(tenant)

    customers = max(DELIVERIES // 5, 1)
    bodies = [_order_body(1 + i % customers) for i in range(WARM_UP + DELIVERIES)]
    signed = [(body, saleor.key.sign(body)) for body in bodies]
    client = Client()
    took: list[float] = []
    print(f"Posting {len(signed)} signed deliveries ...", file=sys.stderr, flush=True)
    for i, (body, signature) in enumerate(signed):
        started = time.perf_counter()
        response = client.post(
            "/api/webhooks/order-created",
            data=body,
            content_type="application/json",
            HTTP_SALEOR_API_URL=saleor.api_url,
            HTTP_SALEOR_SIGNATURE=signature,
            HTTP_SALEOR_EVENT="order_created",
        )
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"delivery {i} answered {response.status_code}")
        if i >= WARM_UP:
            took.append(elapsed * 1000)
    relay.wait_idle()

    with activated(tenant):
        waiting = JourneyEvent.objects.filter(processed_at__isnull=True).count()
        started = time.perf_counter()
        applied = drain()
        drain_seconds = time.perf_counter() - started
        journeys = Journey.objects.count()
    saleor.stop()
    celery_app.control.purge()

    table = Table("The Saleor App: webhook handler and drain")
    table.add(
        f"ORDER_CREATED handler, {DELIVERIES} deliveries",
        f"p50 {percentile(took, 50):.2f} ms  p99 {percentile(took, 99):.2f} ms",
    )
    table.add(
        f"drain, {waiting} events of {customers} customers",
        f"{applied / drain_seconds:,.0f} events/s ({drain_seconds:.2f} s, "
        f"{journeys} journeys)",
    )
    table.note("target: handler p50 under 20 ms (docs/app.md, Webhooks in)")
    print(table.render())


if __name__ == "__main__":
    main()
