"""The campaign emails as a shopper sees them in Chromium: every kind, English
and Korean, with and without a coupon, on a phone (375 px) and a desktop
reading pane (600 px). Screenshots go to tests/browser/screenshots/emails/."""

import struct
import threading
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from saleor_journey_plugin.campaigns.kinds import CampaignKind, kinds
from saleor_journey_plugin.campaigns.kinds.abandoned_checkout import ABANDONED_CHECKOUT
from saleor_journey_plugin.campaigns.kinds.browse_abandonment import (
    BROWSE_ABANDONMENT,
    product_lines,
)
from saleor_journey_plugin.campaigns.kinds.review_request import REVIEW_REQUEST
from saleor_journey_plugin.campaigns.kinds.win_back import WIN_BACK
from saleor_journey_plugin.campaigns.mail.compose import compose
from saleor_journey_plugin.campaigns.mail.context import Facts
from saleor_journey_plugin.campaigns.settings import CampaignSettings
from saleor_journey_plugin.campaigns.steps import Coupon
from saleor_journey_plugin.core.host import Checkout, CheckoutLine, ProductCard
from saleor_journey_plugin.core.presets import Language

PHONE = {"width": 375, "height": 667}
PANE = {"width": 600, "height": 900}
LINK = "https://journey.example.com/campaigns/web/click/abc/"
BUTTONS = {
    (ABANDONED_CHECKOUT, Language.EN): "Complete your order",
    (ABANDONED_CHECKOUT, Language.KO): "주문 완료하기",
    (WIN_BACK, Language.EN): "Visit Example Store",
    (WIN_BACK, Language.KO): "예시 스토어 둘러보기",
    (REVIEW_REQUEST, Language.EN): "Write a review",
    (REVIEW_REQUEST, Language.KO): "후기 작성하기",
    (BROWSE_ABANDONMENT, Language.EN): "Continue shopping",
    (BROWSE_ABANDONMENT, Language.KO): "쇼핑 계속하기",
}
# The kinds whose email shows two pictures of products (beside the logo).
WITH_PICTURES = (ABANDONED_CHECKOUT, BROWSE_ABANDONMENT)
# Each language's cart, in its channel's currency, and the total as written.
CARTS = {
    Language.EN: (
        "USD",
        [("Linen shirt", "M / Sand", 2, "45.00"), ("Canvas tote", "", 1, "18.50")],
        "$108.50",
    ),
    Language.KO: (
        "KRW",
        [("린넨 셔츠", "M / 샌드", 2, "45000"), ("캔버스 토트백", "", 1, "18500")],
        "₩108,500",
    ),
}


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A plain-colour PNG (no imaging library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


IMAGES = {
    "/thumbnail/1/256/": png(256, 256, (214, 196, 160)),
    "/thumbnail/2/256/": png(256, 256, (88, 110, 94)),
    "/logo.png": png(320, 80, (29, 78, 216)),
}


class _Images(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = IMAGES.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def images() -> Iterator[str]:
    """A loopback server for the pictures, as the store would serve them."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Images)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def viewed(
    language: Language, currency: str, lines: tuple[CheckoutLine, ...]
) -> list[dict[str, str]]:
    """The cart's products as a browse email shows them."""
    cards = [
        ProductCard(
            id=str(number),
            slug=line.name.lower().replace(" ", "-"),
            name=line.name,
            price=line.price,
            currency=currency,
            image_url=line.image_url,
        )
        for number, line in enumerate(lines, start=1)
    ]
    return product_lines(
        cards, lambda card: f"https://journey.example.com/click/{card.slug}/", language
    )


def email_html(
    kind: CampaignKind, language: Language, coupon: bool, images: str
) -> str:
    currency, items, _ = CARTS[language]
    lines = tuple(
        CheckoutLine(
            name=name,
            quantity=quantity,
            price=Decimal(price),
            variant_name=variant,
            image_url=f"{images}/thumbnail/{number}/256/",
        )
        for number, (name, variant, quantity, price) in enumerate(items, start=1)
    )
    checkout = Checkout(
        token="t1",
        channel="web",
        email="jane@example.com",
        user_id="",
        lines=lines,
        total=sum((line.price * line.quantity for line in lines), Decimal(0)),
        currency=currency,
        last_change=datetime(2026, 3, 1, tzinfo=UTC),
    )
    facts = Facts(
        language=language,
        store_name="예시 스토어" if language is Language.KO else "Example Store",
        first_name="지민" if language is Language.KO else "Jane",
        link=LINK,
        unsubscribe_url="https://journey.example.com/campaigns/web/unsubscribe/x/",
        checkout=checkout if kind is ABANDONED_CHECKOUT else None,
        currency=currency,
        coupon=Coupon(Decimal("10"), True) if coupon else None,
        coupon_code="JRN-7K2QX" if coupon else "",
        coupon_expires_at=datetime(2026, 3, 9, tzinfo=UTC) if coupon else None,
        logo_url=f"{images}/logo.png",
        postal_address=("Example Store Inc.", "1 Main St", "Springfield, IL 62701"),
        own=(
            {"products": viewed(language, currency, lines)}
            if kind is BROWSE_ABANDONMENT
            else {}
        ),
    )
    return compose(CampaignSettings(language=language), kind, facts).html


@pytest.mark.parametrize("coupon", [False, True], ids=["plain", "coupon"])
@pytest.mark.parametrize("language", list(Language), ids=lambda lang: lang.value)
@pytest.mark.parametrize("kind", kinds(), ids=lambda kind: kind.value)
def test_a_shopper_sees_the_pictures_the_button_and_the_total(
    browser, images, screenshots, kind, language, coupon
):
    html = email_html(kind, language, coupon, images)
    folder = screenshots / "emails"
    folder.mkdir(exist_ok=True)
    for viewport in (PHONE, PANE):
        page = browser.new_page(viewport=viewport)
        try:
            page.set_content(html, wait_until="load")
            name = f"{kind.value}-{language.value}-{'coupon' if coupon else 'plain'}"
            page.screenshot(
                path=str(folder / f"{name}-{viewport['width']}.png"), full_page=True
            )

            # every picture loaded, from the store's server
            pictures = page.eval_on_selector_all(
                "img", "els => els.map(e => [e.currentSrc, e.naturalWidth])"
            )
            expected = 1 + (2 if kind in WITH_PICTURES else 0)
            assert len(pictures) == expected
            assert all(src.startswith(images) and w > 0 for src, w in pictures)

            # the one button, whole and on the first screen
            button = page.locator(f'a[href="{LINK}"]')
            assert button.count() == 1
            assert button.inner_text().strip() == BUTTONS[kind, language]
            assert button.is_visible()
            box = button.bounding_box()
            assert box is not None
            assert box["y"] + box["height"] <= viewport["height"]

            # nothing wider than the screen
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"]

            text = page.inner_text("body")
            if kind is ABANDONED_CHECKOUT:
                assert CARTS[language][2] in text
            if kind is BROWSE_ABANDONMENT:
                assert ("$45.00" if language is Language.EN else "₩45,000") in text
            assert ("JRN-7K2QX" in text) is coupon
            assert "1 Main St" in text
        finally:
            page.close()
