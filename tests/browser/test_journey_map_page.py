"""The journey map page in Chromium: sign-in, figures equal to the API's,
periods, languages, permissions and a phone-width layout."""

import json
import time
import urllib.request
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from example_store.host import issue_token

from .conftest import today

USD = "web-usd"
KRW = "web-krw"
KPI_KEYS = [
    "conversionRate",
    "cartAbandonmentRate",
    "averageOrderValue",
    "returningCustomerRate",
    "csat",
]
REPORT = """
query Check($from: Date!, $to: Date!, $prevFrom: Date!, $prevTo: Date!,
            $language: JourneyLanguage) {
  current: journeyReport(from: $from, to: $to) {
    kpis { ...K }
    funnel(view: PRESET, language: $language) {
      steps { label stages customers dropOff }
    }
    map(language: $language) { stages { stage touchpoints } }
  }
  previous: journeyReport(from: $prevFrom, to: $prevTo) { kpis { ...K } }
}
fragment K on JourneyKpis {
  conversionRate cartAbandonmentRate returningCustomerRate csat
  averageOrderValue { amount currency }
}
"""


# ---------------------------------------------------------------- helpers --
def map_url(live_server, channel: str = USD) -> str:
    return f"{live_server.url}/map/{channel}/"


def open_page(browser, live_server, *, channel=USD, width=1280, height=900):
    context = browser.new_context(
        viewport={"width": width, "height": height}, service_workers="block"
    )
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(map_url(live_server, channel))
    return page, requests


def sign_in(page, account: dict[str, str]) -> None:
    page.fill("#signin-email", account["email"])
    page.fill("#signin-password", account["password"])
    page.click("#signin-submit")


def wait_for_report(page, **expected: str) -> dict[str, str]:
    """Wait until the report is drawn for ``expected`` (data-* of #report)."""
    conditions = " && ".join(
        f"r.dataset.{name} === {json.dumps(value)}" for name, value in expected.items()
    )
    page.wait_for_function(
        "() => { const r = document.getElementById('report');"
        " return r && !r.hidden && document.getElementById('loading').hidden"
        + (f" && {conditions}" if conditions else "")
        + "; }"
    )
    return page.evaluate("() => ({...document.getElementById('report').dataset})")


def api_report(live_server, token: str, dates: dict[str, str], language=None):
    variables: dict[str, Any] = {
        "from": dates["from"],
        "to": dates["to"],
        "prevFrom": dates["prevFrom"],
        "prevTo": dates["prevTo"],
    }
    if language:
        variables["language"] = language
    request = urllib.request.Request(
        f"{live_server.url}/graphql/{USD}/",
        data=json.dumps({"query": REPORT, "variables": variables}).encode(),
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {token}",
        },
    )
    with urllib.request.urlopen(request) as response:
        answer = json.loads(response.read())
    assert "errors" not in answer, answer
    return answer["data"]


def percent(raw: str | None) -> str:
    if raw is None:
        return "No data"
    value = (Decimal(raw) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    text = f"{value:,.1f}"
    return (text.removesuffix(".0")) + "%"


def money(raw: dict | None) -> str:
    if raw is None:
        return "No data"
    assert raw["currency"] == "USD"
    return "$" + f"{Decimal(raw['amount']):,}"


def raw(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return f"{value['amount']} {value['currency']}"
    return str(value)


def page_figures(page) -> dict[str, Any]:
    return page.evaluate(
        """() => ({
        kpis: [...document.querySelectorAll('#kpis .kpi')].map(k => ({
            key: k.dataset.kpi,
            value: k.querySelector('.kpi-value').dataset.value,
            text: k.querySelector('.kpi-value').textContent,
            previous: k.querySelector('.kpi-prev').dataset.value,
        })),
        funnel: [...document.querySelectorAll('#funnel .funnel-step')].map(g => ({
            label: g.dataset.label, customers: Number(g.dataset.customers),
            dropOff: Number(g.dataset.dropOff),
        })),
        columns: [...document.querySelectorAll('#journey-map .stage:not(.extra)')]
            .map(c => ({
                label: c.dataset.label, customers: Number(c.dataset.customers),
                touchpoints: Number(c.dataset.touchpoints),
            })),
    })"""
    )


def assert_page_matches_api(page, live_server, token, dates, language=None):
    data = api_report(live_server, token, dates, language)
    current, previous = data["current"], data["previous"]
    shown = page_figures(page)

    assert [k["key"] for k in shown["kpis"]] == KPI_KEYS
    for tile in shown["kpis"]:
        now, before = current["kpis"][tile["key"]], previous["kpis"][tile["key"]]
        assert tile["value"] == raw(now), tile
        assert tile["previous"] == raw(before), tile
        if tile["key"] == "averageOrderValue":
            assert tile["text"] == money(now), tile
        elif now is not None:
            assert tile["text"] == percent(now), tile

    steps = current["funnel"]["steps"]
    assert shown["funnel"] == [
        {"label": s["label"], "customers": s["customers"], "dropOff": s["dropOff"]}
        for s in steps
    ]
    touchpoints = {s["stage"]: s["touchpoints"] for s in current["map"]["stages"]}
    assert shown["columns"] == [
        {
            "label": s["label"],
            "customers": s["customers"],
            "touchpoints": sum(touchpoints.get(stage, 0) for stage in s["stages"]),
        }
        for s in steps
    ]
    return current


def token_of(page) -> str:
    return page.evaluate("() => sessionStorage.getItem('journeyMap.token')")


def no_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= window.innerWidth"
        " && document.body.scrollWidth <= window.innerWidth"
    )


# ------------------------------------------------------------------ tests --
def test_staff_see_the_apis_figures_for_each_period_and_language(
    browser, live_server, store, staff, screenshots
):
    # given a store with a few months of customers and a staff member
    page, requests = open_page(browser, live_server)
    assert page.is_visible("#signin")

    # when they sign in with their email and password
    sign_in(page, staff)
    end = today() + timedelta(days=1)
    dates = wait_for_report(page, to=end.isoformat())

    # then the last 30 days are shown, next to the 30 days before, as the API says
    assert dates["from"] == (end - timedelta(days=30)).isoformat()
    assert dates["prevFrom"] == (end - timedelta(days=60)).isoformat()
    assert dates["prevTo"] == dates["from"]
    token = token_of(page)
    current = assert_page_matches_api(page, live_server, token, dates)
    assert sum(s["customers"] for s in current["funnel"]["steps"]) > 0
    assert page.locator("#cohorts table tbody tr").count() >= 1
    # signed in on the page itself, so it offers to sign out
    assert page.is_visible("#sign-out")
    page.screenshot(path=str(screenshots / "desktop-30-days.png"), full_page=True)

    # when they pick the last 7 days
    page.click("#period-picker [data-period='7']")
    dates = wait_for_report(page, **{"from": (end - timedelta(days=7)).isoformat()})
    # then the figures are the API's for those 7 days and the 7 before
    assert dates["prevFrom"] == (end - timedelta(days=14)).isoformat()
    assert_page_matches_api(page, live_server, token, dates)

    # when they choose their own dates, from 45 to 20 days ago (both included)
    start, last = today() - timedelta(days=45), today() - timedelta(days=20)
    page.click("#period-picker [data-period='custom']")
    page.fill("#custom-from", start.isoformat())
    page.fill("#custom-to", last.isoformat())
    page.click("#custom-range button[type='submit']")
    dates = wait_for_report(page, **{"from": start.isoformat()})
    # then the period ends after the last day chosen and is compared with the
    # 26 days before it
    assert dates["to"] == (last + timedelta(days=1)).isoformat()
    assert dates["prevFrom"] == (start - timedelta(days=26)).isoformat()
    assert_page_matches_api(page, live_server, token, dates)

    # when they switch to Korean
    page.click("#language-switch [data-language='KO']")
    dates = wait_for_report(page, language="KO")
    # then the stages carry the preset's Korean labels, still the API's figures
    assert_page_matches_api(page, live_server, token, dates, language="KO")
    assert page.locator("#funnel .funnel-step").first.get_attribute("data-label") == (
        "인지"
    )
    assert "인지" in page.inner_text("#journey-map")
    assert page.inner_text("#kpis .kpi h3 >> nth=0") == "전환율"
    page.screenshot(path=str(screenshots / "desktop-custom-ko.png"), full_page=True)

    # and the page fetched nothing but its own origin
    assert requests
    assert all(url.startswith(live_server.url + "/") for url in requests), requests
    page.context.close()


def test_the_page_is_served_empty_with_a_strict_policy(live_server, transactional_db):
    # given the example store
    # when the page and its script are fetched
    with urllib.request.urlopen(map_url(live_server)) as response:
        headers, html = response.headers, response.read().decode()
    with urllib.request.urlopen(map_url(live_server) + "assets/map.js") as response:
        script_headers = response.headers

    # then the page names its endpoints and holds no figures
    assert 'data-api-url="/graphql/web-usd/"' in html
    assert 'data-signin-url="/graphql/"' in html
    assert "<script>" not in html
    policy = headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "connect-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in headers["Cache-Control"]
    assert script_headers["Content-Type"].startswith("text/javascript")
    assert script_headers["X-Content-Type-Options"] == "nosniff"


def test_a_customer_account_is_told_it_lacks_the_permission(
    browser, live_server, store, customer_account, screenshots
):
    # given a signed-up user who is not staff
    page, _ = open_page(browser, live_server)

    # when they sign in on the page
    sign_in(page, customer_account)

    # then the page says which permission is missing and asks for another account
    page.wait_for_selector("#notice:not([hidden])")
    assert "MANAGE_ORDERS" in page.inner_text("#notice")
    assert page.is_visible("#signin")
    assert page.is_hidden("#report")
    assert token_of(page) is None
    page.screenshot(path=str(screenshots / "permission-denied.png"), full_page=True)
    page.context.close()


def test_a_wrong_password_and_an_expired_token_ask_to_sign_in(
    browser, live_server, store, staff
):
    # given the sign-in form
    page, _ = open_page(browser, live_server)

    # when the password is wrong
    sign_in(page, {"email": staff["email"], "password": "not-" + staff["password"]})
    # then Saleor's message is shown and nothing is kept
    page.wait_for_selector("#notice:not([hidden])")
    assert "valid credentials" in page.inner_text("#notice")
    assert token_of(page) is None

    # when a pasted token has expired by the time the page uses it
    expired = issue_token(
        user_id="auth-1",
        email=staff["email"],
        permissions=["MANAGE_ORDERS"],
        expires_in=1,
    )
    time.sleep(1.1)
    page.click(".token-paste summary")
    page.fill("#token-input", expired)
    page.click("#token-submit")

    # then the page asks to sign in again
    page.wait_for_function(
        "() => document.getElementById('notice').textContent.includes('expired')"
    )
    assert page.is_visible("#signin")
    assert token_of(page) is None
    page.context.close()


def test_a_pasted_staff_token_works_and_an_empty_channel_reads_well(
    browser, live_server, store, screenshots
):
    # given a channel where nothing has happened yet and a dashboard's token
    token = issue_token(user_id="auth-9", permissions=["MANAGE_ORDERS"])
    page, _ = open_page(browser, live_server, channel=KRW)

    # when the token is pasted
    page.click(".token-paste summary")
    page.fill("#token-input", token)
    page.click("#token-submit")
    wait_for_report(page)

    # then every part says there is nothing yet, in the channel's language
    assert page.evaluate("() => document.documentElement.lang") == "ko"
    assert page.is_visible("#funnel .empty")
    assert page.is_visible("#cohorts .empty")
    assert page.is_visible("#journey-map .empty")
    assert page.locator("#kpis .kpi-value.empty").count() == 5
    page.screenshot(path=str(screenshots / "empty-channel-ko.png"), full_page=True)
    page.context.close()


def test_on_a_phone_the_page_fits_the_screen(
    browser, live_server, store, staff, screenshots
):
    # given a phone-width screen
    page, _ = open_page(browser, live_server, width=390, height=844)
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(screenshots / "phone-sign-in.png"), full_page=True)

    # when a staff member signs in
    sign_in(page, staff)
    wait_for_report(page)

    # then nothing scrolls sideways and the stages are stacked
    assert no_horizontal_scroll(page)
    boxes = [
        page.locator("#journey-map .stage").nth(i).bounding_box() for i in range(2)
    ]
    assert boxes[0] and boxes[1]
    assert boxes[1]["y"] > boxes[0]["y"]
    assert boxes[0]["x"] + boxes[0]["width"] <= 390
    page.screenshot(path=str(screenshots / "phone-report.png"))
    page.locator("#funnel").screenshot(path=str(screenshots / "phone-funnel.png"))
    page.locator("#journey-map .stage").nth(1).screenshot(
        path=str(screenshots / "phone-map-stage.png")
    )
    page.screenshot(path=str(screenshots / "phone-report-full.png"), full_page=True)

    # and the custom range form fits too
    page.click("#period-picker [data-period='custom']")
    assert no_horizontal_scroll(page)
    page.context.close()
