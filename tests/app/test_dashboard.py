"""The Dashboard pages' endpoints: the configuration, with the plugin's
validation, and who may read it."""

import json

from . import payloads as p
from .conftest import CHANNEL, deliver, gid
from .fake_saleor import SigningKey


def extension_token(saleor, tenant, permissions=("MANAGE_APPS", "MANAGE_ORDERS")):
    return saleor.issue(
        7,
        "lee@example.com",
        type="thirdparty",
        is_staff=True,
        app=tenant.saleor_app_id,
        app_extension=gid("AppExtension", 1),
        user_permissions=list(permissions),
    )


def call(client, token, data=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    if data is None:
        return client.get("/app/api/configuration", **headers)
    return client.post(
        "/app/api/configuration",
        data=json.dumps(data),
        content_type="application/json",
        **headers,
    )


def test_the_configuration_lists_saleors_channels_with_the_plugins_defaults(
    client, saleor_a, tenant_a
):
    answer = call(client, extension_token(saleor_a, tenant_a))

    assert answer.status_code == 200
    data = answer.json()
    (channel,) = data["channels"]
    assert channel["slug"] == CHANNEL
    assert channel["currency"] == "USD"
    assert channel["enabled"] is True
    assert channel["reviewWebhookUrl"] == (
        f"http://app.test/t/{tenant_a.pk}/reviews/{CHANNEL}/"
    )
    fields = {field["name"]: field for field in data["fields"]}
    assert fields["stage_preset"]["default"] == "standard"
    assert fields["stage_preset"]["choices"] == [
        "standard",
        "five_stage",
        "hubspot",
        "marketing_funnel",
    ]
    assert data["health"]["needsReinstall"] is False
    assert data["health"]["lastDeliveryAt"] is None
    assert data["health"]["failures24h"] == 0
    assert data["health"]["lastFailure"] is None


def test_the_configuration_shows_a_refused_delivery(client, saleor_a, tenant_a):
    # given: a delivery signed with a key Saleor does not publish
    forged = SigningKey.new("key-1")
    order = p.event("OrderCreated", order=p.order())
    assert deliver(
        client, saleor_a, "order-created", order, key=forged
    ).status_code == (401)

    # when
    health = call(client, extension_token(saleor_a, tenant_a)).json()["health"]

    # then
    assert health["failures24h"] == 1
    assert health["lastFailure"]["reason"] == (
        "Signature not verified: signature does not verify (BadSignatureError)"
    )


def test_a_bad_value_is_refused_with_the_plugins_message_and_nothing_saved(
    client, saleor_a, tenant_a
):
    before = dict(tenant_a.channels)

    answer = call(
        client,
        extension_token(saleor_a, tenant_a),
        {
            "channel": CHANNEL,
            "enabled": True,
            "currency": "USD",
            "values": {"lapse_after_days": "0", "stage_preset": "hubspot"},
        },
    )

    assert answer.status_code == 400
    assert answer.json() == {
        "errors": {
            "lapse_after_days": (
                "Lapse after days must be a whole number from 1 to 3650, got '0'."
            )
        }
    }
    tenant_a.refresh_from_db()
    assert tenant_a.channels == before


def test_good_values_are_saved_for_the_host_to_run_with(client, saleor_a, tenant_a):
    answer = call(
        client,
        extension_token(saleor_a, tenant_a),
        {
            "channel": CHANNEL,
            "enabled": True,
            "currency": "usd",
            "values": {"lapse_after_days": "30", "stage_preset": "hubspot"},
        },
    )

    assert answer.status_code == 200
    tenant_a.refresh_from_db()
    assert tenant_a.channels[CHANNEL] == {
        "lapse_after_days": "30",
        "stage_preset": "hubspot",
        "currency": "USD",
    }


def test_only_staff_who_manage_apps_may_configure(client, saleor_a, tenant_a):
    without = call(client, extension_token(saleor_a, tenant_a, ["MANAGE_ORDERS"]))
    customer = call(client, saleor_a.issue(42, "kim@example.com"))
    anonymous = call(client, None)

    assert without.status_code == 403
    assert without.json()["error"] == (
        "You need the MANAGE_APPS permission in Saleor for this."
    )
    assert customer.status_code == 403
    assert anonymous.status_code == 401


def test_the_pages_may_be_framed_and_hold_no_token(client):
    # Without the slash too, where the Dashboard's urlJoin asks for them: no
    # redirect on each frame's load.
    for path in (
        "/app/",
        "/app",
        "/app/map/",
        "/app/map?theme=light",
        "/app/widgets/customer/?customerId=x",
        "/app/widgets/customer?customerId=x",
    ):
        page = client.get(path)
        assert page.status_code == 200
        assert "frame-ancestors *" in page["Content-Security-Policy"]
        assert "X-Frame-Options" not in page
        assert page["Cache-Control"] == "no-store"
