"""The Dashboard pages in Chromium, each framed by a stand-in for Saleor's
Dashboard that performs the AppBridge handshake as the Dashboard does (on the
frame's load it posts {type: "handshake", payload: {token, version}} to the
app's origin). The app is served by a live server with a committed tenant;
what a person sees is asserted, and each page is photographed."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from saleor_journey_app.tenants.models import Tenant
from saleor_journey_app.tenants.schemas import activated, create_schema
from saleor_journey_plugin.core.processing import drain

from ..chromium import chromium
from . import payloads as p
from .conftest import deliver, gid
from .fake_saleor import FakeSaleor

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
DASHBOARD = "http://dashboard.test"
PERMISSIONS = ["MANAGE_APPS", "MANAGE_ORDERS", "MANAGE_USERS"]

PARENT = """<!doctype html>
<html><head><meta charset="utf-8"><title>Saleor Dashboard</title></head>
<body style="margin:0;background:#f3f4f6;font:14px system-ui">
<div style="padding:12px 20px;background:#111827;color:#fff;font-weight:600">
  Saleor Dashboard (stand-in) &middot; Apps: Customer journey</div>
<iframe id="app" src="%(src)s"
  style="width:100%%;height:%(height)spx;border:0"></iframe>
<script>
  window.fromApp = [];
  window.addEventListener("message", function (event) {
    if (event.origin === %(origin)s) window.fromApp.push(event.data);
  });
  var frame = document.getElementById("app");
  frame.addEventListener("load", function () {
    if (%(token)s) frame.contentWindow.postMessage(
      {type: "handshake", payload: {token: %(token)s, version: 1}}, %(origin)s);
  });
</script></body></html>"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # The stand-in Dashboard's origin is served by Playwright, so Chromium
    # takes it for a public site framing a loopback one and would block it.
    with chromium("--disable-features=LocalNetworkAccessChecks") as launched:
        yield launched


@pytest.fixture(scope="module")
def app_server() -> Iterator[Any]:
    from django.test.utils import override_settings
    from pytest_django.live_server_helper import LiveServer

    with override_settings(STATIC_URL="/static/"):
        server = LiveServer("127.0.0.1:0")
    yield server
    server.stop()


@pytest.fixture
def store(django_db_blocker, client) -> Iterator[tuple[Tenant, FakeSaleor]]:
    """A Saleor installed for real (committed: the live server's thread reads
    it), with loyalty on, whose customer 42 ordered and paid today."""
    saleor = FakeSaleor(token="token-of-saleor-d-Hy61", app_id="QXBwOjQ=").start()
    now = datetime.now(UTC).replace(microsecond=0)
    with django_db_blocker.unblock():
        tenant = Tenant.objects.create(
            saleor_api_url=saleor.api_url,
            app_token=saleor.token,
            saleor_app_id=saleor.app_id,
            channels={p.CHANNEL: {"currency": "USD", "loyalty_enabled": "true"}},
            registered_at=timezone.now(),
        )
        create_schema(tenant)
        try:
            user = p.user(dateJoined=(now - timedelta(days=3)).isoformat())
            user["updatedAt"] = user["dateJoined"]
            bodies = [
                ("customer-created", "CustomerCreated", {"user": user}),
                ("order-created", "OrderCreated", {"order": _order(now)}),
                ("order-fully-paid", "OrderFullyPaid", {"order": _order(now)}),
            ]
            for path, typename, fields in bodies:
                body = p.event(typename, **fields)
                body["issuedAt"] = now.isoformat()
                assert deliver(client, saleor, path, body).status_code == 200
            with activated(tenant):
                drain()
            yield tenant, saleor
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA "{tenant.schema}" CASCADE')
            tenant.delete()
            saleor.stop()


def _order(now: datetime) -> dict:
    return p.order(created=(now - timedelta(minutes=5)).isoformat())


def staff_token(saleor: FakeSaleor, permissions=PERMISSIONS) -> str:
    return saleor.issue(
        7,
        "lee@example.com",
        type="thirdparty",
        is_staff=True,
        app=saleor.app_id,
        app_extension=gid("AppExtension", 1),
        user_permissions=list(permissions),
    )


def open_framed(browser, app_server, path: str, token: str | None, height=900):
    """A page of the Dashboard stand-in framing the app's ``path``."""
    page = browser.new_page(viewport={"width": 1100, "height": height + 44})
    html = PARENT % {
        "src": f"{app_server.url}{path}",
        "origin": json.dumps(app_server.url),
        "token": json.dumps(token) if token else "null",
        "height": height,
    }
    page.route(
        f"{DASHBOARD}/**",
        lambda route: route.fulfill(status=200, content_type="text/html", body=html),
    )
    page.goto(f"{DASHBOARD}/apps/journey/")
    return page, page.frame_locator("#app")


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


def test_the_configuration_page_waits_for_the_handshake(browser, app_server, store):
    page, app = open_framed(browser, app_server, "/app/", token=None)

    notice = app.locator("#notice")
    notice.wait_for()
    page.wait_for_timeout(500)

    assert notice.inner_text() == "Waiting for Saleor's Dashboard…"
    assert app.locator("#settings").is_hidden()
    assert app.locator("#health").is_hidden()
    # The page told the Dashboard it is ready, as AppBridge does.
    assert page.evaluate("window.fromApp.map(m => m.type)") == ["notifyReady"]
    page.close()


def test_the_configuration_page_shows_and_validates_the_fields(
    browser, app_server, store
):
    tenant, saleor = store
    page, app = open_framed(browser, app_server, "/app/", staff_token(saleor))

    app.locator("#settings").wait_for()
    assert app.locator("#channel option").all_inner_texts() == ["Default Channel · on"]
    assert app.locator("#enabled").is_checked()
    assert app.locator("#currency").input_value() == "USD"
    assert app.locator("#field-stage_preset").input_value() == "standard"
    assert app.locator("#field-lapse_after_days").input_value() == "90"
    assert app.locator("#field-loyalty_enabled").is_checked()
    assert app.locator("#connection").inner_text() == "Connected"
    assert app.locator("#events-day").inner_text() == "3"
    shoot(page, "app-configuration")

    app.locator("#field-lapse_after_days").fill("0")
    app.locator("#save").click()
    error = app.locator('[data-error-for="lapse_after_days"]')
    error.wait_for()
    assert error.inner_text() == (
        "Lapse after days must be a whole number from 1 to 3650, got '0'."
    )
    assert app.locator("#notice").inner_text() == ("Not saved: 1 field(s) to correct.")
    app.locator("#field-lapse_after_days").scroll_into_view_if_needed()
    shoot(page, "app-configuration-error")

    app.locator("#field-lapse_after_days").fill("45")
    app.locator("#field-stage_preset").select_option("hubspot")
    app.locator("#save").click()
    app.locator("#saved", has_text="Saved.").wait_for()
    tenant.refresh_from_db()
    assert tenant.channels[p.CHANNEL]["lapse_after_days"] == "45"
    assert tenant.channels[p.CHANNEL]["stage_preset"] == "hubspot"
    page.close()


def test_the_journey_map_page_draws_the_report(browser, app_server, store):
    _, saleor = store
    page, app = open_framed(
        browser, app_server, "/app/map/", staff_token(saleor), height=1300
    )

    app.locator("#report").wait_for()
    kpis = app.locator("#kpis")
    kpis.wait_for()
    assert app.locator("#channel-name").inner_text() == p.CHANNEL
    text = kpis.inner_text()
    assert "Revenue" in text
    assert "$50.00" in text
    assert app.locator("#signin").is_hidden()
    shoot(page, "app-journey-map")
    page.close()


def test_the_customer_widget_shows_stage_history_and_points(browser, app_server, store):
    _, saleor = store
    path = f"/app/widgets/customer/?customerId={gid('User', 42)}"
    page, app = open_framed(browser, app_server, path, staff_token(saleor), height=420)

    card = app.locator(f'.journey[data-channel="{p.CHANNEL}"]')
    card.wait_for()
    assert card.locator(".stage").inner_text() == "Purchase"
    assert card.locator('[data-fact="orders"]').inner_text() == "1"
    assert card.locator('[data-fact="points"]').inner_text() == "40"
    assert card.locator('[data-fact="tier"]').inner_text() == "Bronze"
    assert card.locator(".history li span:first-child").all_inner_texts()[0] == (
        "Purchase"
    )
    shoot(page, "app-customer-widget")
    page.close()


def test_a_forged_token_shows_nothing(browser, app_server, store):
    _, saleor = store
    from .fake_saleor import SigningKey

    forged = saleor.issue(
        7,
        "lee@example.com",
        type="thirdparty",
        app=saleor.app_id,
        user_permissions=PERMISSIONS,
        key=SigningKey.new("key-1"),
    )
    page, app = open_framed(browser, app_server, "/app/", forged)

    notice = app.locator("#notice.error")
    notice.wait_for()
    assert notice.inner_text() == "Invalid token."
    assert app.locator("#settings").is_hidden()
    page.close()
