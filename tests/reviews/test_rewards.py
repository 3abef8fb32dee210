"""Review rewards through the signed webhook: one paid order cannot be reviewed
into unlimited points."""

import pytest

from saleor_journey_plugin.core.processing import drain
from saleor_journey_plugin.loyalty.models import LedgerEntry, LoyaltyAccount
from saleor_journey_plugin.reviews.models import Review

from .conftest import CHANNEL, body_of, post
from .test_verified import paid_order


@pytest.fixture
def loyalty(review_secrets):
    """Loyalty on in web-usd: 1 point per unit, 50 per verified review."""
    settings = review_secrets
    settings.JOURNEY_CHANNELS = {
        **settings.JOURNEY_CHANNELS,
        CHANNEL: {
            **settings.JOURNEY_CHANNELS[CHANNEL],
            "loyalty": {"loyalty_enabled": "true", "review_points": "50"},
        },
    }
    return settings


def review(client, number, **fields):
    fields = {"review_id": f"rv-{number}", "rating": 5, "photos": 0} | fields
    return post(client, body_of(**fields), webhook_id=f"msg_{number}")


def ledger():
    return list(
        LedgerEntry.objects.order_by("id").values_list("kind", "points", "product")
    )


def balance():
    return LoyaltyAccount.objects.get(channel=CHANNEL).balance


def test_ten_reviews_of_other_products_naming_one_paid_order_earn_nothing(
    db, client, loyalty
):
    # given: Ann paid one 30.00 order, 1042, holding only a red mug (30 points)
    paid_order("1042", products=["MUG-RED"])
    drain()

    # when: ten 5-star reviews of products she never bought, each naming 1042
    answers = [
        review(client, n, product=f"anything-{n}", order="1042") for n in range(1, 11)
    ]
    drain()

    # then: not one point for them; kept unverified (they count for CSAT)
    assert balance() == 30
    assert ledger() == [("earn_order", 30, "")]
    assert [answer for _, answer in answers] == [
        {"status": "created", "review_id": f"rv-{n}", "version": 1, "verified": False}
        for n in range(1, 11)
    ]
    assert Review.objects.filter(verified=True).count() == 0
    assert Review.objects.count() == 10


def test_a_product_of_the_paid_order_earns_once_however_often_it_is_reviewed(
    db, client, loyalty
):
    # given: Ann paid order 1042 for a red and a blue mug
    paid_order("1042", products=["MUG-RED", "MUG-BLUE"])
    drain()

    # when: she reviews the red mug with and without the order, three times,
    # then the blue mug once
    answers = [
        review(client, 1, product="MUG-RED", order="1042"),
        review(client, 2, product="MUG-RED"),
        review(client, 3, product="MUG-RED", order=1042),
        review(client, 4, product="MUG-BLUE", order="1042"),
    ]
    drain()

    # then: all verified; one reward per product
    assert [answer["verified"] for _, answer in answers] == [True] * 4
    assert ledger() == [
        ("earn_order", 30, ""),
        ("earn_review", 50, "MUG-RED"),
        ("earn_review", 50, "MUG-BLUE"),
    ]
    assert balance() == 130


def test_a_product_bought_in_another_order_is_not_verified_by_the_order_named(
    db, client, loyalty
):
    # given: order 1042 held the red mug, order 1043 the teapot
    paid_order("1042", products=["MUG-RED"])
    paid_order("1043", products=["TEA-POT"])
    drain()

    # when: a review of the teapot names order 1042
    _, answer = review(client, 1, product="TEA-POT", order="1042")
    drain()

    # then: the order named does not hold it: unverified, no reward
    assert answer["verified"] is False
    assert ledger() == [("earn_order", 30, ""), ("earn_order", 30, "")]
