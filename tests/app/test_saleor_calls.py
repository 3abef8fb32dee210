"""Calls out with the app token: metadata and single-use codes, retried on
Saleor's 5xx, and a token Saleor no longer knows marks the tenant."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from saleor_journey_app.saleor_api import metadata
from saleor_journey_app.saleor_api.client import SaleorError, TokenRevoked
from saleor_journey_app.saleor_api.tasks import (
    write_journey_stages,
    write_loyalty_tiers,
)
from saleor_journey_app.tenants.models import Tenant
from saleor_journey_app.tenants.schemas import activated
from saleor_journey_plugin.core.host import CouponRequest, get_host
from saleor_journey_plugin.core.processing import drain
from saleor_journey_plugin.models import Journey

from . import payloads as p
from .conftest import deliver, gid

USER_42 = gid("User", 42)


def metadata_writes(saleor) -> list[tuple[str, list[dict]]]:
    return [
        (call["variables"]["id"], call["variables"]["input"])
        for call in saleor.calls_of("updateMetadata")
    ]


def test_stages_are_written_to_the_users_metadata(client, saleor_a, tenant_a):
    assert (
        deliver(
            client, saleor_a, "order-created", p.event("OrderCreated", order=p.order())
        ).status_code
        == 200
    )
    with activated(tenant_a):
        drain()
        journeys = list(Journey.objects.values_list("pk", flat=True))
        assert write_journey_stages(journeys) == 1

    assert metadata_writes(saleor_a) == [
        (
            USER_42,
            [
                {"key": "journey_stage", "value": "purchase"},
                {"key": "journey_stage.default-channel", "value": "purchase"},
            ],
        )
    ]
    assert {call["token"] for call in saleor_a.calls} == {saleor_a.token}


def test_tiers_are_written_to_the_users_metadata(client, saleor_a, tenant_a):
    deliver(
        client, saleor_a, "customer-created", p.event("CustomerCreated", user=p.user())
    )
    with activated(tenant_a):
        drain()
        from saleor_journey_plugin.core.queries import find_customer

        customer = find_customer(user_id="42")
        assert customer is not None
        assert write_loyalty_tiers([(customer.pk, p.CHANNEL, "gold")]) == 1

    assert metadata_writes(saleor_a) == [
        (
            USER_42,
            [
                {"key": "loyalty_tier", "value": "gold"},
                {"key": "loyalty_tier.default-channel", "value": "gold"},
            ],
        )
    ]


def test_saleors_5xx_is_tried_again(tenant_a, saleor_a):
    saleor_a.failures = 2
    metadata.write(tenant_a, "42", {"journey_stage": "interest"})
    assert len(saleor_a.calls_of("updateMetadata")) == 3


def test_a_saleor_that_keeps_failing_is_given_up_after_four_attempts(
    tenant_a, saleor_a
):
    saleor_a.failures = 10
    with pytest.raises(SaleorError, match="HTTP 503, 4 attempts"):
        metadata.write(tenant_a, "42", {"journey_stage": "interest"})
    assert len(saleor_a.calls) == 4
    tenant_a.refresh_from_db()
    assert tenant_a.needs_reinstall is False


def test_a_revoked_token_marks_the_tenant_for_reinstall(tenant_a, saleor_a):
    saleor_a.token = "a-token-issued-after-reinstall"  # Saleor forgot ours
    with pytest.raises(TokenRevoked):
        metadata.write(tenant_a, "42", {"journey_stage": "interest"})
    assert Tenant.objects.get(pk=tenant_a.pk).needs_reinstall is True


def test_a_single_use_code_is_made_once_per_reference(tenant_a, saleor_a):
    request = CouponRequest(
        channel=p.CHANNEL,
        reference="campaign-message:17",
        value=Decimal("10"),
        percentage=True,
        currency=None,
        expires_at=datetime(2026, 3, 8, 9, 30, tzinfo=UTC),
    )
    with activated(tenant_a):
        first = get_host().create_coupon(request)
        again = get_host().create_coupon(request)

    assert first == again
    assert first.startswith("JRN-") and len(first) == 16
    assert saleor_a.codes == {first}
    created = [
        call["variables"]["input"] for call in saleor_a.calls_of("voucherCreate")
    ]
    assert created[0] == {
        "name": f"Customer journey {first}",
        "type": "ENTIRE_ORDER",
        "discountValueType": "PERCENTAGE",
        "singleUse": True,
        "usageLimit": 1,
        "endDate": "2026-03-08T09:30:00+00:00",
        "addCodes": [first],
    }
    # One voucher; the retry found the code taken and set the value on the
    # voucher holding it again (harmless; it finishes a half-made voucher).
    assert saleor_a.vouchers == 1
    assert len(saleor_a.calls_of("JourneyCouponFind")) == 1
    value = {
        "id": "Vm91Y2hlcjo1",
        "input": {
            "addChannels": [{"channelId": "Q2hhbm5lbDox", "discountValue": "10"}]
        },
    }
    listings = saleor_a.calls_of("voucherChannelListingUpdate")
    assert [call["variables"] for call in listings] == [value, value]
    assert saleor_a.vouchers_deleted == []


def test_two_saleors_get_different_codes_for_one_reference(
    tenant_a, tenant_b, saleor_a, saleor_b
):
    request = CouponRequest(
        channel=p.CHANNEL,
        reference="campaign-message:1",
        value=Decimal("5"),
        percentage=False,
        currency="USD",
        expires_at=datetime(2026, 3, 8, tzinfo=UTC),
    )
    with activated(tenant_a):
        code_a = get_host().create_coupon(request)
    with activated(tenant_b):
        code_b = get_host().create_coupon(request)
    assert code_a != code_b
    assert saleor_a.codes == {code_a} and saleor_b.codes == {code_b}
