"""Benchmark: the time from a Saleor mutation to the stage the app writes back
into Saleor's user metadata. Prints figures; asserts nothing about speed (see
benchmarks/README.md).

The app runs as its own service (gunicorn, a Celery worker; app_service.py);
Saleor runs here on a live server, and its webhooks leave from Saleor's own
Celery worker (a worker thread on Redis, ``saleor_worker``), as in a
deployment. For each of BENCH_APP_CUSTOMERS customers, timed
from the start of the mutation until ``journey_stage`` is read back from
Saleor's database (polled every 10 ms): checkoutCreate (signed
CHECKOUT_CREATED, stage CONSIDERATION) and checkoutComplete (ORDER_CREATED and
ORDER_FULLY_PAID, stage PURCHASE). Each includes Saleor's own mutation, its
worker's delivery, the app's relay wake-up, the app worker's drain and its
updateMetadata call.

Run from the repository root with Saleor's virtualenv, as the Saleor suite:

  PYTHONPATH=$PWD DATABASE_URL=postgres://postgres@127.0.0.1:5432/saleor \\
  JOURNEY_APP_PYTHON=.venv/bin/python \\
    <saleor-venv>/bin/python -m pytest -c tests/saleor/pytest.ini \\
    --rootdir tests/saleor tests/saleor/bench_app_stage.py \\
    -p no:cacheprovider --reuse-db -s
"""

import os
import statistics
import time

import pytest
from app_service import wait_until
from saleor.account.models import User
from test_saleor_app import complete, make_payable, metadata_stage, start_checkout

CUSTOMERS = int(os.environ.get("BENCH_APP_CUSTOMERS", "10"))

pytestmark = pytest.mark.django_db(transaction=True)


def _until_stage(user, stage: str, started: float) -> float:
    wait_until(lambda: metadata_stage(user) == stage, f"{stage} for {user.email}")
    return time.perf_counter() - started


def _customers(api_client, channel, variant, checkout_delivery, pause, tag):
    """(checkout -> consideration, order -> purchase) per customer, seconds;
    ``pause`` seconds of quiet before each timed mutation."""
    considered: list[float] = []
    purchased: list[float] = []
    for i in range(CUSTOMERS + 1):
        user = User.objects.create(email=f"bench-{tag}-{i}@example.com")
        api_client.user = user
        time.sleep(pause)
        started = time.perf_counter()
        checkout = start_checkout(api_client, channel, variant, user.email)
        to_consideration = _until_stage(user, "consideration", started)
        make_payable(checkout, checkout_delivery)
        time.sleep(pause)
        started = time.perf_counter()
        complete(api_client, checkout)
        to_purchase = _until_stage(user, "purchase", started)
        if i:  # the first is warm-up
            considered.append(to_consideration)
            purchased.append(to_purchase)
    return considered, purchased


def _figures(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    return (
        f"median {statistics.median(ms):.0f} ms  min {ms[0]:.0f}  max {ms[-1]:.0f} ms"
    )


def test_mutation_to_visible_stage(
    installed_app,
    saleor_worker,
    app_service,
    api_client,
    channel_USD,
    product,
    checkout_delivery,
):
    from saleor.warehouse.models import Stock

    Stock.objects.update(quantity=10**6)
    variant = product.variants.first()
    print(f"\n== Saleor mutation -> journey_stage in Saleor: {CUSTOMERS} customers ==")
    # Back to back: each mutation lands within the relay's 2 s spacing of the
    # previous drain task, so it waits for the next one. After 2.5 s of quiet,
    # the drain task is published at once.
    for label, pause in (("back to back", 0.0), ("after 2.5 s quiet", 2.5)):
        considered, purchased = _customers(
            api_client, channel_USD, variant, checkout_delivery, pause, pause
        )
        print(f"{label}:")
        print(f"  checkoutCreate   -> consideration: {_figures(considered)}")
        print(f"  checkoutComplete -> purchase:      {_figures(purchased)}")
