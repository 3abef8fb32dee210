"""Separate processes racing for the same points: the ledger lets one win."""

import multiprocessing
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection

from saleor_journey_plugin.loyalty import ledger
from saleor_journey_plugin.loyalty.models import LedgerEntry
from saleor_journey_plugin.models import Customer

from . import workers
from .conftest import CHANNEL, ON, account

pytestmark = pytest.mark.django_db(transaction=True)


def database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def race(target, argument_lists):
    """Run ``target`` in one process per argument list, all released at once."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(argument_lists))
    results = context.Queue()
    processes = [
        context.Process(
            target=workers.run,
            args=(target, results, database_url(), barrier, *arguments),
        )
        for arguments in argument_lists
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=30)
        assert process.exitcode == 0
    return outcomes


def test_two_redemptions_of_the_same_points_at_once_only_one_succeeds():
    # given: 600 points, and two processes each redeeming 500
    ann = Customer.objects.create(user_id="1", email="ann@example.com")
    ledger.earn_for_order(
        CHANNEL, ann.pk, "o1", Decimal("600"), ON, datetime(2026, 3, 1, tzinfo=UTC)
    )

    # when
    outcomes = race(workers.redeem, [(ann.pk, 500), (ann.pk, 500)])

    # then
    assert sorted(outcomes) == ["CODE-5.00", "NOT_ENOUGH_POINTS"]
    assert account(ann).balance == 100
    assert LedgerEntry.objects.filter(kind="redeem").count() == 1


def test_ten_reviews_of_one_product_applied_at_once_pay_one_reward():
    # given
    ann = Customer.objects.create(user_id="1", email="ann@example.com")

    # when: ten processes apply ten reviews of p1 (a review and its resends)
    outcomes = race(workers.review, [(ann.pk, "p1", f"r{n}") for n in range(10)])

    # then: every process got the one entry
    assert len(set(outcomes)) == 1
    assert LedgerEntry.objects.filter(kind="earn_review").count() == 1
    assert account(ann).balance == 50
