"""The Dashboard pages in Chromium, each framed by a stand-in for Saleor's
Dashboard that does what saleor-dashboard 3.23.27 does (files named below,
under src/extensions/): it frames the URL the Dashboard computes from the
manifest, answers the AppBridge actions and posts its events as
@saleor/app-sdk 1.12 types them. The app is served by a live server with a
committed tenant; what a person sees is asserted, and each page is
photographed."""

import json
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from django.db import connection
from django.test.utils import override_settings
from django.utils import timezone
from playwright.sync_api import expect

from saleor_journey_app.install.manifest import manifest
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
DASHBOARD_VERSION = "3.23.27"
SALEOR_VERSION = "3.23.28"
# The Dashboard's one feature flag in 3.23.27 (.featureFlags/generated.tsx),
# which AppIFrame.tsx puts in every frame's URL.
FEATURE_FLAGS = {"new_order_ui": {"enabled": False, "payload": "default"}}
CUSTOMER = gid("User", 42)


def url_join(*parts: str) -> str:
    """url-join 4.0.1 (the Dashboard's ``urlJoin``), for http(s) URLs and
    paths: components joined by one slash, the slash before ``?`` dropped,
    a later ``?`` made ``&``."""
    kept = []
    for index, part in enumerate(parts):
        if part == "":
            continue
        if index > 0:
            part = part.lstrip("/")
        part = part.rstrip("/") if index < len(parts) - 1 else re.sub("/+$", "/", part)
        kept.append(part)
    joined = re.sub(r"/(\?|&|#[^!])", r"\1", "/".join(kept))
    head, *queries = joined.split("?")
    return head + ("?" if queries else "") + "&".join(queries)


def _qs(params: dict, prefix: str = "") -> list[str]:
    """qs.stringify (RFC 3986) for the strings, booleans and nested objects
    the Dashboard passes; ``None`` (JS undefined) is left out."""
    pairs = []
    for key, value in params.items():
        name = f"{prefix}[{key}]" if prefix else key
        if value is None:
            continue
        if isinstance(value, dict):
            pairs.extend(_qs(value, name))
            continue
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        pairs.append(f"{quote(name, safe='')}={quote(text, safe='')}")
    return pairs


def resolve_app_iframe_url(app_id: str, app_url: str, api_url: str, **params) -> str:
    """urls.ts ``ExtensionsUrls.resolveAppIframeUrl`` on a Dashboard page
    whose own query string is empty."""
    query = {"domain": urlsplit(api_url).netloc, "saleorApiUrl": api_url, "id": app_id}
    return url_join(app_url, "", "?" + "&".join(_qs({**query, **params})))


def widget_url(extension: dict, app_id: str, api_url: str, theme: str) -> str:
    """What a GET ``WIDGET`` frames: AppWidgetExtensionItem.tsx resolves the
    URL with {id, theme: undefined} (its themeRef is never set), and
    AppIFrame.tsx resolves that again with the page's params ({customerId},
    CustomerDetailsPage.tsx), the feature flags and the theme."""
    first = resolve_app_iframe_url(app_id, extension["url"], api_url, id=app_id)
    return resolve_app_iframe_url(
        app_id,
        first,
        api_url,
        customerId=CUSTOMER,
        featureFlags=FEATURE_FLAGS,
        theme=theme,
    )


def app_page_url(app_url: str, path: str, app_id: str, api_url: str, theme: str):
    """What an ``APP_PAGE`` (and the app's own page, ``path`` "") frames:
    ViewManifestExtensionIframe.tsx joins ``appUrl`` with the path after
    /extensions/app/<id> (``resolveAppCompleteUrlFromDashboardUrl``), then
    AppIFrame.tsx resolves it with the flags and the theme."""
    complete = url_join(app_url, path)
    return resolve_app_iframe_url(
        app_id, complete, api_url, featureFlags=FEATURE_FLAGS, theme=theme
    )


# AppFrame.tsx and what it mounts: the frame (AppIFrame.tsx, its sandbox),
# hidden until the handshake; useAppActions.ts (actions from the app's
# origin with a type and payload.actionId; notifyReady answered by
# appActionsHandler.ts with the handshake, then the "response"); the
# handshake again on the frame's load (AppFrame.tsx handleLoad);
# useAppDashboardUpdates.ts (localeChanged, theme, redirect once the
# handshake is done); useUpdateAppToken.ts (tokenRefresh); for a widget,
# useWidgetIframeAutoHeight.ts (200 px to start) and the widgetResize action
# (widgetIframeResize.ts, at most 5000 px).
PARENT = """<!doctype html>
<html><head><meta charset="utf-8"><title>Saleor Dashboard</title></head>
<body style="margin:0;background:%(background)s;font:14px system-ui">
<div style="padding:12px 20px;background:#111827;color:#fff;font-weight:600">
  Saleor Dashboard (stand-in) &middot; %(where)s</div>
<div style="%(box)s">%(title)s
<iframe id="app" src="%(src)s" data-test-id="app-frame"
  sandbox="allow-same-origin allow-forms allow-scripts allow-downloads allow-popups"
  style="width:100%%;border:none;display:block;visibility:hidden;%(frame)s"></iframe>
</div>
<script>
  var APP_ORIGIN = %(origin)s, APP_ID = %(app_id)s, TARGET = %(target)s;
  var token = %(token)s, theme = %(theme)s;
  var frame = document.getElementById("app");
  var handshakeDone = false;
  window.fromApp = [];
  window.toApp = [];
  function post(event) {
    window.toApp.push(event);
    frame.contentWindow.postMessage(event, APP_ORIGIN);
  }
  function handshake() {
    post({type: "handshake", payload: {token: token, version: 1,
      saleorVersion: %(saleor_version)s, dashboardVersion: %(dashboard_version)s}});
    if (handshakeDone) return;
    handshakeDone = true;
    frame.style.visibility = "visible";
    // React's effects: after the render that follows the state change.
    setTimeout(function () {
      post({type: "localeChanged", payload: {locale: "en"}});
      post({type: "theme", payload: {theme: theme}});
      var deep = location.pathname.replace(
        "/extensions/app/" + encodeURIComponent(APP_ID), "");
      post({type: "redirect", payload: {path: deep || "/"}});
    }, 0);
  }
  window.addEventListener("message", function (event) {
    if (event.origin !== APP_ORIGIN) return;
    var action = event.data || {};
    if (!action.type || !action.payload || !action.payload.actionId) return;
    window.fromApp.push(action);
    // token null: a Dashboard that has not answered yet.
    if (action.type === "notifyReady" && token) {
      handshake();
      post({type: "response", payload: {actionId: action.payload.actionId, ok: true}});
    } else if (action.type === "widgetResize" && TARGET === "WIDGET") {
      frame.style.height = Math.min(Math.ceil(action.payload.height), 5000) + "px";
      post({type: "response", payload: {actionId: action.payload.actionId, ok: true}});
    }
  });
  frame.addEventListener("load", function () { if (token) handshake(); });
  window.refreshToken = function (fresh) {
    token = fresh;
    post({type: "tokenRefresh", payload: {token: fresh}});
  };
  window.switchTheme = function (next) {
    theme = next;
    post({type: "theme", payload: {theme: next}});
  };
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
def store(
    django_db_setup, django_db_blocker, client
) -> Iterator[tuple[Tenant, FakeSaleor]]:
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


def staff_token(saleor: FakeSaleor, *, extension: bool, expires_in=300) -> str:
    """The token the Dashboard hands a frame: an extension's
    (``AppExtension.accessToken``, with ``app_extension``) for a widget, the
    app's (``App.accessToken``) for its pages (AppPage.tsx)."""
    claims = {"app_extension": gid("AppExtension", 2)} if extension else {}
    return saleor.issue(
        7,
        "lee@example.com",
        type="thirdparty",
        is_staff=True,
        app=saleor.app_id,
        user_permissions=PERMISSIONS,
        expires_in=expires_in,
        **claims,
    )


def installed(app_server) -> dict:
    """The manifest as the live server would serve it."""
    with override_settings(APP_URL=app_server.url):
        return manifest()


def extension(app_server, identifier: str) -> dict:
    (found,) = [
        item
        for item in installed(app_server)["extensions"]
        if item["identifier"] == identifier
    ]
    return found


def open_page(browser, app_server, saleor, path, token, *, theme="light", height=900):
    """The Dashboard showing the app's page at ``path`` (the part of the
    Dashboard's URL after /extensions/app/<id>): "" is the app's own page,
    an APP_PAGE's ``url`` one of its extensions."""
    app_url = installed(app_server)["appUrl"]
    src = app_page_url(app_url, path, saleor.app_id, saleor.api_url, theme)
    where = f"/extensions/app/{quote(saleor.app_id, safe='')}{path}"
    return _open(
        browser,
        app_server,
        saleor,
        where=where,
        src=src,
        token=token,
        theme=theme,
        target="APP_PAGE",
        box=f"height:{height}px",
        frame="height:100%",
        viewport=(1100, height + 44),
    )


def open_widget(browser, app_server, saleor, token, *, theme="light"):
    """The Dashboard's customer page with the app's widget in its right-hand
    column, in a card titled with the extension's label (AppWidgetCard.tsx)."""
    found = extension(app_server, "customer-journey")
    src = widget_url(found, saleor.app_id, saleor.api_url, theme)
    card = "#1f2937" if theme == "dark" else "#fff"
    return _open(
        browser,
        app_server,
        saleor,
        where=f"/customers/{quote(CUSTOMER, safe='')}",
        src=src,
        token=token,
        theme=theme,
        target="WIDGET",
        box=f"width:340px;margin:16px;padding:16px;background:{card};border-radius:8px",
        title=f'<p style="margin:0 0 8px;color:#6b7280">{found["label"]}</p>',
        frame="height:200px",
        viewport=(420, 700),
    )


def _open(browser, app_server, saleor, *, where, src, token, theme, target, **look):
    width, height = look["viewport"]
    page = browser.new_page(viewport={"width": width, "height": height})
    html = PARENT % {
        "src": src,
        "where": where,
        "box": look["box"],
        "frame": look["frame"],
        "title": look.get("title", ""),
        "background": "#111827" if theme == "dark" else "#f3f4f6",
        "origin": json.dumps(app_server.url),
        "app_id": json.dumps(saleor.app_id),
        "target": json.dumps(target),
        "token": json.dumps(token),
        "theme": json.dumps(theme),
        "saleor_version": json.dumps(SALEOR_VERSION if target != "WIDGET" else ""),
        "dashboard_version": json.dumps(DASHBOARD_VERSION),
    }
    page.route(
        f"{DASHBOARD}/**",
        lambda route: route.fulfill(status=200, content_type="text/html", body=html),
    )
    page.goto(f"{DASHBOARD}{where}")
    return page, page.frame_locator("#app")


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


def test_the_dashboard_frames_the_urls_it_computes_from_the_manifest():
    # The URLs saleor-dashboard 3.23.27's code gives, run under node with its
    # url-join 4.0.1 and qs 6.15.2, for an app at https://journey.example.com.
    api, app_id = "https://api.example.com/graphql/", "QXBwOjQ="
    query = (
        "domain=api.example.com&saleorApiUrl=https%3A%2F%2Fapi.example.com"
        "%2Fgraphql%2F&id=QXBwOjQ%3D"
    )
    flags = (
        "featureFlags%5Bnew_order_ui%5D%5Benabled%5D=false"
        "&featureFlags%5Bnew_order_ui%5D%5Bpayload%5D=default"
    )
    with override_settings(APP_URL="https://journey.example.com"):
        data = manifest()
    widget, page = data["extensions"][1], data["extensions"][0]

    assert widget_url(widget, app_id, api, "light") == (
        f"https://journey.example.com/app/widgets/customer?{query}&{query}"
        f"&customerId=VXNlcjo0Mg%3D%3D&{flags}&theme=light"
    )
    assert app_page_url(data["appUrl"], page["url"], app_id, api, "dark") == (
        f"https://journey.example.com/app/map?{query}&{flags}&theme=dark"
    )
    assert app_page_url(data["appUrl"], "", app_id, api, "light") == (
        f"https://journey.example.com/app?{query}&{flags}&theme=light"
    )


def test_the_configuration_page_waits_for_the_handshake(browser, app_server, store):
    _, saleor = store
    page, app = open_page(browser, app_server, saleor, "", token=None)

    notice = app.locator("#notice")
    notice.wait_for(state="attached")
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
    token = staff_token(saleor, extension=False)
    page, app = open_page(browser, app_server, saleor, "", token)

    app.locator("#settings").wait_for()
    assert app.locator("#channel option").all_inner_texts() == ["Default Channel · on"]
    assert app.locator("#enabled").is_checked()
    assert app.locator("#currency").input_value() == "USD"
    assert app.locator("#review-url").inner_text() == (
        f"http://app.test/t/{tenant.pk}/reviews/{p.CHANNEL}/"
    )
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


def test_the_page_goes_on_with_the_token_the_dashboard_refreshes(
    browser, app_server, store
):
    # given: a page opened with a token that expires (with the app's 5 s of
    # leeway) 5 s from now, as the Dashboard's do 5 minutes after it made them
    tenant, saleor = store
    issued = time.time()
    page, app = open_page(
        browser,
        app_server,
        saleor,
        "",
        staff_token(saleor, extension=False, expires_in=0),
    )
    app.locator("#settings").wait_for()
    time.sleep(max(0.0, issued + 6.5 - time.time()))
    app.locator("#field-lapse_after_days").fill("30")
    app.locator("#save").click()
    expired = app.locator("#notice.error")
    expired.wait_for()
    assert expired.inner_text() == "Token expired."

    # when: the Dashboard posts the new one (useUpdateAppToken.ts)
    page.evaluate("t => window.refreshToken(t)", staff_token(saleor, extension=False))
    app.locator("#save").click()

    # then
    app.locator("#saved", has_text="Saved.").wait_for()
    tenant.refresh_from_db()
    assert tenant.channels[p.CHANNEL]["lapse_after_days"] == "30"
    page.close()


def test_the_journey_map_page_draws_the_report(browser, app_server, store):
    _, saleor = store
    path = extension(app_server, "journey-map")["url"]
    token = staff_token(saleor, extension=False)
    page, app = open_page(browser, app_server, saleor, path, token, height=1300)

    app.locator("#report").wait_for()
    kpis = app.locator("#kpis")
    kpis.wait_for()
    assert app.locator("#channel-name").inner_text() == p.CHANNEL
    text = kpis.inner_text()
    assert "Revenue" in text
    assert "$50.00" in text
    assert app.locator("#signin").is_hidden()
    # the Dashboard signed the page in: nothing to sign out of
    assert app.locator("#sign-out").is_hidden()
    shoot(page, "app-journey-map")

    # The map reads its token from sessionStorage at each call.
    fresh = staff_token(saleor, extension=False, expires_in=240)
    page.evaluate("t => window.refreshToken(t)", fresh)
    stored = "() => sessionStorage.getItem('journeyMap.token')"
    assert app.locator(":root").evaluate(stored) == fresh
    page.close()


def test_the_customer_widget_shows_stage_history_and_points(browser, app_server, store):
    _, saleor = store
    page, app = open_widget(
        browser, app_server, saleor, staff_token(saleor, extension=True)
    )

    card = app.locator(f'.journey[data-channel="{p.CHANNEL}"]')
    card.wait_for()
    assert card.locator(".stage").inner_text() == "Purchase"
    assert card.locator('[data-fact="orders"]').inner_text() == "1"
    assert card.locator('[data-fact="points"]').inner_text() == "40"
    assert card.locator('[data-fact="tier"]').inner_text() == "Bronze"
    assert card.locator(".history li span:first-child").all_inner_texts()[0] == (
        "Purchase"
    )
    # The frame, 200 px at first, grew to the whole widget: nothing is cut.
    frame, content = frame_and_content_heights(page, app)
    assert frame == content
    assert content > 200
    assert page.evaluate("window.fromApp.map(m => m.type)")[0] == "notifyReady"
    shoot(page, "app-customer-widget")
    page.close()


def test_the_customer_widget_follows_the_dashboards_theme(browser, app_server, store):
    _, saleor = store
    token = staff_token(saleor, extension=True)
    page, app = open_widget(browser, app_server, saleor, token, theme="dark")
    app.locator(".journey .stage").wait_for()
    background = "node => getComputedStyle(node).backgroundColor"

    assert app.locator("body").evaluate(background) == "rgb(31, 41, 55)"
    assert app.locator(".stage").evaluate("n => getComputedStyle(n).color") == (
        "rgb(96, 165, 250)"
    )
    shoot(page, "app-customer-widget-dark")

    page.evaluate("window.switchTheme('light')")
    expect(app.locator("body")).to_have_css("background-color", "rgb(255, 255, 255)")
    page.close()


def frame_and_content_heights(page, app, timeout=5.0) -> tuple[int, int]:
    """The Dashboard's frame and the widget inside it, once they agree (the
    frame follows the widget's reports) or the time is up."""
    deadline = time.monotonic() + timeout
    while True:
        content = app.locator("#widget").evaluate(
            "node => Math.ceil(node.getBoundingClientRect().height)"
        )
        frame = page.evaluate(
            "Math.round(document.getElementById('app').getBoundingClientRect().height)"
        )
        if frame == content or time.monotonic() > deadline:
            return frame, content
        page.wait_for_timeout(50)


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
    page, app = open_page(browser, app_server, saleor, "", forged)

    notice = app.locator("#notice.error")
    notice.wait_for()
    assert notice.inner_text() == "Invalid token."
    assert app.locator("#settings").is_hidden()
    page.close()
