"""Ledger calls made from a separate process, each with its own connection.

Started with the ``spawn`` method: the child imports Django afresh and opens
its own database connection (to the test database it is given), then waits
at the barrier so that all children call the ledger at the same moment.
"""

import os
import time
from decimal import Decimal
from typing import Any


def _setup(database_url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()


def run(target: Any, results: Any, *arguments: Any) -> None:
    """Put ``target``'s outcome (or its error, as text) on the results queue."""
    try:
        results.put(target(*arguments))
    except Exception as error:
        results.put(f"error: {error!r}")
        raise


def redeem(database_url: str, barrier: Any, customer: int, points: int) -> str:
    _setup(database_url)
    from saleor_journey_plugin.loyalty import ledger
    from saleor_journey_plugin.loyalty.settings import LoyaltySettings

    def slow_code(value: Decimal) -> str:
        # Hold the lock a while: the other redemption must wait, not slip by.
        time.sleep(0.5)
        return f"CODE-{value}"

    barrier.wait()
    try:
        return ledger.redeem(
            "web-usd",
            customer,
            points,
            LoyaltySettings(enabled=True, min_redeem_points=100),
            slow_code,
        )
    except ledger.LoyaltyError as error:
        return error.code.value


def review(
    database_url: str, barrier: Any, customer: int, product: str, review_id: str
) -> int:
    _setup(database_url)
    from django.utils import timezone

    from saleor_journey_plugin.loyalty import ledger
    from saleor_journey_plugin.loyalty.settings import LoyaltySettings

    barrier.wait()
    entry = ledger.earn_for_review(
        "web-usd",
        customer,
        product,
        review_id,
        LoyaltySettings(enabled=True),
        timezone.now(),
    )
    return entry.pk if entry else 0
