"""Signed webhooks in: verified or refused (401, nothing stored), translated
with the plugin's keys, recorded once however often Saleor retries."""

import json
import logging

from saleor_journey_app.tenants.schemas import activated
from saleor_journey_plugin.core.recording import stored_key
from saleor_journey_plugin.models import JourneyEvent

from . import payloads as p
from .conftest import deliver
from .fake_saleor import SigningKey


def stored(tenant) -> list[tuple[str, str]]:
    with activated(tenant):
        return list(
            JourneyEvent.objects.order_by("pk").values_list("type", "idempotency_key")
        )


def keyed(*facts: tuple[str, str]) -> list[tuple[str, str]]:
    """Facts as the core stores them: the key's keyed digest."""
    return [(event_type, stored_key(key)) for event_type, key in facts]


def test_a_signed_order_is_recorded_with_the_plugins_keys(client, saleor_a, tenant_a):
    body = p.event("OrderCreated", order=p.order(voucherCode="JRN-ABC"))
    body["order"]["discounts"] = [
        {"type": "VOUCHER", "total": {"amount": 5.0}},
        {"type": "MANUAL", "total": {"amount": 1.0}},
    ]
    response = deliver(client, saleor_a, "order-created", body)

    assert response.status_code == 200
    assert stored(tenant_a) == keyed(("ORDER_PLACED", f"order:{p.ORDER_UUID}:placed"))
    with activated(tenant_a):
        event = JourneyEvent.objects.get()
    assert event.user_id == "42"
    assert event.channel == p.CHANNEL
    assert event.occurred_at.isoformat() == "2026-03-01T08:59:00+00:00"
    assert event.payload == {
        "order_id": p.ORDER_UUID,
        "total": "50.0",
        "currency": "USD",
        "net": "40.65",
        "checkout": p.CHECKOUT_TOKEN,
        "coupons": [{"code": "JRN-ABC", "discount": "5.0"}],
    }


def test_a_retried_delivery_has_one_effect(client, saleor_a, tenant_a):
    body = p.event("OrderFullyPaid", order=p.order())
    first = deliver(client, saleor_a, "order-fully-paid", body)
    again = deliver(client, saleor_a, "order-fully-paid", body)

    assert (first.status_code, again.status_code) == (200, 200)
    assert stored(tenant_a) == keyed(("ORDER_PAID", f"order:{p.ORDER_UUID}:paid"))


def test_checkout_milestones_and_payment(client, saleor_a, tenant_a):
    started = p.event("CheckoutCreated", checkout=p.checkout())
    detailed = p.event(
        "CheckoutUpdated",
        checkout=p.checkout(
            shippingAddress={"id": "QWRkcmVzczox"}, delivery={"id": "x"}
        ),
    )
    paid = p.event("CheckoutFullyPaid", checkout=p.checkout())
    for name, body in [
        ("checkout-created", started),
        ("checkout-updated", detailed),
        ("checkout-updated", detailed),
        ("checkout-fully-paid", paid),
    ]:
        assert deliver(client, saleor_a, name, body).status_code == 200

    token = p.CHECKOUT_TOKEN
    assert stored(tenant_a) == keyed(
        ("CHECKOUT_STARTED", f"checkout:{token}:started"),
        ("CHECKOUT_DETAILS_ADDED", f"checkout:{token}:details"),
        ("DELIVERY_METHOD_CHOSEN", f"checkout:{token}:delivery"),
        ("CHECKOUT_PAID", f"checkout:{token}:paid"),
    )


def test_an_anonymous_cart_records_nothing(client, saleor_a, tenant_a):
    body = p.event("CheckoutCreated", checkout=p.checkout(user=None, email=None))
    assert deliver(client, saleor_a, "checkout-created", body).status_code == 200
    assert stored(tenant_a) == []


def test_refunds_partial_then_full(client, saleor_a, tenant_a):
    partial = p.event("OrderRefunded", order=p.order(totalRefunded={"amount": 20.0}))
    full = p.event("OrderRefunded", order=p.order(totalRefunded={"amount": 50.0}))
    fully = p.event("OrderFullyRefunded", order=p.order(totalRefunded={"amount": 50.0}))
    assert deliver(client, saleor_a, "order-refunded", partial).status_code == 200
    assert deliver(client, saleor_a, "order-refunded", full).status_code == 200
    assert deliver(client, saleor_a, "order-fully-refunded", fully).status_code == 200

    assert stored(tenant_a) == keyed(
        ("ORDER_REFUNDED", f"order:{p.ORDER_UUID}:refunded:20.00"),
        ("ORDER_REFUNDED", f"order:{p.ORDER_UUID}:refunded"),
    )


def test_account_events(client, saleor_a, tenant_a):
    deliver(
        client, saleor_a, "customer-created", p.event("CustomerCreated", user=p.user())
    )
    deliver(
        client,
        saleor_a,
        "account-confirmed",
        p.event("AccountConfirmed", user=p.user()),
    )
    deliver(
        client, saleor_a, "account-deleted", p.event("AccountDeleted", user=p.user())
    )

    assert stored(tenant_a) == keyed(
        ("ACCOUNT_CREATED", "user:42:created"),
        (
            "ACCOUNT_UPDATED",
            "user:42:updated:2026-03-01T08:00:00.250000+00:00:kim@example.com:True:hook",
        ),
        ("CUSTOMER_DELETED", "user:42:deleted"),
    )


def test_a_channel_the_store_did_not_enable_records_nothing(client, saleor_a, tenant_a):
    body = p.event("OrderCreated", order=p.order(channel={"slug": "other"}))
    assert deliver(client, saleor_a, "order-created", body).status_code == 200
    assert stored(tenant_a) == []


# -- Refused deliveries: 401 (or 400 for a verified body of the wrong shape) ----


def test_a_forged_key_is_refused(client, saleor_a, tenant_a):
    forger = SigningKey.new(saleor_a.key.kid)  # same kid, another key
    body = p.event("OrderCreated", order=p.order())
    response = deliver(client, saleor_a, "order-created", body, key=forger)
    assert response.status_code == 401
    assert stored(tenant_a) == []


def test_an_unknown_kid_fetches_the_keys_once_more(client, saleor_a, tenant_a):
    body = p.event("OrderCreated", order=p.order())
    assert deliver(client, saleor_a, "order-created", body).status_code == 200
    assert saleor_a.jwks_fetches == 1

    stranger = SigningKey.new("key-nobody-published")
    paid = p.event("OrderFullyPaid", order=p.order())
    assert (
        deliver(client, saleor_a, "order-fully-paid", paid, key=stranger).status_code
        == 401
    )
    assert saleor_a.jwks_fetches == 2
    # A second unknown kid right after is refused from the cache.
    assert (
        deliver(client, saleor_a, "order-fully-paid", paid, key=stranger).status_code
        == 401
    )
    assert saleor_a.jwks_fetches == 2
    assert stored(tenant_a) == keyed(("ORDER_PLACED", f"order:{p.ORDER_UUID}:placed"))


def test_a_rotated_key_is_accepted_after_one_fetch(client, saleor_a, tenant_a):
    body = p.event("OrderCreated", order=p.order())
    assert deliver(client, saleor_a, "order-created", body).status_code == 200
    saleor_a.key = SigningKey.new("key-2")
    saleor_a.published = [saleor_a.key]
    paid = p.event("OrderFullyPaid", order=p.order())

    assert deliver(client, saleor_a, "order-fully-paid", paid).status_code == 200
    assert saleor_a.jwks_fetches == 2
    assert len(stored(tenant_a)) == 2


def test_an_unregistered_saleor_url_is_refused(client, saleor_a, tenant_a, tenant_b):
    body = p.event("OrderCreated", order=p.order())
    response = deliver(
        client, saleor_a, "order-created", body, api_url="http://evil.test/graphql/"
    )
    assert response.status_code == 401
    assert stored(tenant_a) == [] and stored(tenant_b) == []


def test_another_tenants_url_with_this_saleors_key_is_refused(
    client, saleor_a, saleor_b, tenant_a, tenant_b
):
    body = p.event("OrderCreated", order=p.order())
    response = deliver(
        client, saleor_a, "order-created", body, api_url=saleor_b.api_url
    )
    assert response.status_code == 401
    assert stored(tenant_a) == [] and stored(tenant_b) == []


def test_a_tampered_body_is_refused(client, saleor_a, tenant_a):
    signed = json.dumps(p.event("OrderCreated", order=p.order())).encode()
    tampered = signed.replace(b"50.0", b"5000.0")
    response = deliver(
        client, saleor_a, "order-created", {}, body=tampered, signed_body=signed
    )
    assert response.status_code == 401
    assert stored(tenant_a) == []


def test_no_signature_or_an_hmac_one_is_refused(client, saleor_a, tenant_a):
    body = p.event("OrderCreated", order=p.order())
    for signature in ["", "sha256=" + "0" * 64, "e30.e30.AAAA"]:
        response = deliver(
            client, saleor_a, "order-created", body, signature=signature or " "
        )
        assert response.status_code == 401
    assert stored(tenant_a) == []


def test_an_oversized_body_is_refused_unread(client, saleor_a, tenant_a, settings):
    settings.APP_MAX_WEBHOOK_BYTES = 1000
    body = p.event("OrderCreated", order=p.order(lines=[{"discounts": []}] * 100))
    response = deliver(client, saleor_a, "order-created", body)
    assert response.status_code == 401
    assert stored(tenant_a) == []
    assert saleor_a.jwks_fetches == 0


def test_a_signed_payload_of_another_event_is_400(client, saleor_a, tenant_a):
    body = p.event("OrderCancelled", order=p.order())
    assert deliver(client, saleor_a, "order-created", body).status_code == 400
    broken = p.event("OrderCreated", order=p.order(id="not-a-global-id"))
    assert deliver(client, saleor_a, "order-created", broken).status_code == 400
    not_json = b"{not json"
    assert (
        deliver(client, saleor_a, "order-created", {}, body=not_json).status_code == 400
    )
    assert stored(tenant_a) == []


def test_refusals_are_logged_without_the_body(client, saleor_a, tenant_a, caplog):
    caplog.set_level(logging.DEBUG)
    body = p.event("OrderCreated", order=p.order(userEmail="secret@example.com"))
    deliver(client, saleor_a, "order-created", body, key=SigningKey.new("key-1"))
    assert "secret@example.com" not in caplog.text
