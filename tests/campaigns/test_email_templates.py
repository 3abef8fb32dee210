"""The shipped email templates: built from MJML, small, safe, and written as
people write names, money and dates."""

from datetime import UTC, datetime
from decimal import Decimal
from html.parser import HTMLParser

import pytest

from saleor_journey_plugin import configuration
from saleor_journey_plugin.campaigns import settings as campaign_settings
from saleor_journey_plugin.campaigns.kinds import kinds
from saleor_journey_plugin.campaigns.kinds.abandoned_checkout import ABANDONED_CHECKOUT
from saleor_journey_plugin.campaigns.kinds.review_request import REVIEW_REQUEST
from saleor_journey_plugin.campaigns.kinds.win_back import WIN_BACK
from saleor_journey_plugin.campaigns.mail import mjml_build
from saleor_journey_plugin.campaigns.mail.compose import compose
from saleor_journey_plugin.campaigns.mail.context import Facts
from saleor_journey_plugin.campaigns.mail.money import day, money
from saleor_journey_plugin.campaigns.steps import Coupon
from saleor_journey_plugin.core.host import Checkout, CheckoutLine
from saleor_journey_plugin.core.presets import Language

# Gmail clips an HTML part past 102 KB.
GMAIL_CLIP = 102 * 1000
TIMES = "\N{MULTIPLICATION SIGN}"


def a_checkout(lines: int = 2, *, name: str = "Linen shirt") -> Checkout:
    items = tuple(
        CheckoutLine(
            name=f"{name} {number}",
            quantity=number,
            price=Decimal("45.00"),
            variant_name="M / Blue",
            image_url=f"https://shop.example.com/thumbnail/{number}/256/",
        )
        for number in range(1, lines + 1)
    )
    return Checkout(
        token="t1",
        channel="web-usd",
        email="jane@example.com",
        user_id="",
        lines=items,
        total=sum((i.price * i.quantity for i in items), Decimal(0)),
        currency="USD",
        last_change=datetime(2026, 3, 1, tzinfo=UTC),
    )


def facts(language=Language.EN, *, with_coupon=True, **changes) -> Facts:
    values = {
        "language": language,
        "store_name": "Example Store",
        "first_name": "Jane",
        "link": "https://journey.example.com/click/x/",
        "unsubscribe_url": "https://journey.example.com/unsubscribe/x/",
        "checkout": a_checkout(),
        "currency": "USD",
        "coupon": Coupon(Decimal("10"), True) if with_coupon else None,
        "coupon_code": "JRN-ABCDE" if with_coupon else "",
        "coupon_expires_at": (
            datetime(2026, 3, 9, 8, tzinfo=UTC) if with_coupon else None
        ),
        "postal_address": ("Example Store Inc.", "1 Main St", "Springfield"),
        **changes,
    }
    return Facts(**values)


def shipped(language=Language.EN) -> campaign_settings.CampaignSettings:
    return campaign_settings.CampaignSettings(language=language)


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def of(self, name: str) -> list[dict[str, str | None]]:
        return [attrs for tag, attrs in self.tags if tag == name]


def tags(html: str) -> Tags:
    parser = Tags()
    parser.feed(html)
    return parser


ALL = [
    (kind, language, coupon)
    for kind in kinds()
    for language in Language
    for coupon in (False, True)
]


@pytest.mark.parametrize(
    ("kind", "language"), [(k, lang) for k in kinds() for lang in Language]
)
def test_the_shipped_html_is_the_mjml_build_of_its_source(kind, language):
    committed = mjml_build.target_of(kind, language).read_text(encoding="utf-8")
    assert committed == mjml_build.compile_body(kind, language)


@pytest.mark.parametrize(("kind", "language", "coupon"), ALL)
def test_every_email_is_small_self_contained_and_its_images_are_described(
    kind, language, coupon
):
    # given: a cart of 300 lines with names as long as Saleor allows, and a logo
    checkout = a_checkout(300, name="Extra-long product name & more " * 8)

    # when
    html = compose(
        shipped(language),
        kind,
        facts(
            language,
            with_coupon=coupon,
            checkout=checkout,
            logo_url="https://shop.example.com/logo.png",
        ),
    ).html

    # then: the first 20 lines are shown, the rest counted
    assert len(html.encode()) < GMAIL_CLIP
    # and it goes out as it is, no line long enough to need quoted-printable
    assert max(len(line.encode()) for line in html.splitlines()) <= 998
    found = tags(html)
    assert found.of("link") == []
    assert found.of("script") == []
    assert "@import" not in html
    assert "url(" not in html
    images = found.of("img")
    lines = 20 if kind is ABANDONED_CHECKOUT else 0
    assert len(images) == 1 + lines
    for image in images:
        assert image["alt"], image
        assert image["width"] and image["width"].isdigit(), image
        assert image["height"] and image["height"].isdigit(), image
    more = {
        Language.EN: "…and 280 more in your cart",
        Language.KO: "외 280개 상품이 장바구니에 있어요",
    }[language]
    assert (more in html) is (kind is ABANDONED_CHECKOUT)
    assert images[0] == images[0] | {
        "src": "https://shop.example.com/logo.png",
        "alt": "Example Store",
        "width": "160",
        "height": "40",
    }
    assert len([a for a in found.of("a") if a["href"] == facts().link]) == 1
    assert ("JRN-ABCDE" in html) is coupon
    assert f'lang="{language.value}"' in html


HOSTILE = '"><img src=x onerror=alert(1)><script>alert(2)</script>'


@pytest.mark.parametrize("language", list(Language))
def test_what_shoppers_typed_is_escaped_in_the_html(language):
    # when: a name, a product and the address carry markup
    composed = compose(
        shipped(language),
        ABANDONED_CHECKOUT,
        facts(
            language,
            first_name=HOSTILE,
            checkout=a_checkout(1, name=HOSTILE),
            postal_address=(HOSTILE,),
        ),
    )

    # then: it shows as text, never as markup
    found = tags(composed.html)
    assert found.of("script") == []
    assert [image["src"] for image in found.of("img")] == [
        "https://shop.example.com/thumbnail/1/256/"
    ]
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in composed.html
    assert HOSTILE in composed.text
    assert "<" not in composed.subject


def test_english_with_a_coupon_reads_as_a_person_writes():
    composed = compose(shipped(), ABANDONED_CHECKOUT, facts())

    assert composed.subject == "10% off the items in your cart at Example Store"
    assert composed.text.startswith("Hi Jane,\n")
    assert (
        "Take 10% off this order with the code JRN-ABCDE. It works once, "
        "until March 9, 2026." in composed.text
    )
    assert f"Linen shirt 2 (M / Blue): 2 {TIMES} $45.00 = $90.00\n" in composed.text
    assert "Total: $135.00\n" in composed.text
    assert "more in your cart" not in composed.text
    assert "Complete your order</a>" in composed.html
    assert ">JRN-ABCDE</div>" in composed.html
    # The hidden preview line leads the body.
    assert (
        ">10% off your cart with code JRN-ABCDE: your items are saved for you.</div>"
        in composed.html
    )


def test_korean_without_a_name_greets_neutrally_in_won():
    # given: a guest who gave no name, a won cart
    checkout = a_checkout(1)
    checkout = Checkout(
        **{
            **checkout.__dict__,
            "currency": "KRW",
            "lines": (
                CheckoutLine("린넨 셔츠", 1, Decimal("693550"), "", "https://x/1.png"),
            ),
            "total": Decimal("693550"),
        }
    )

    # when
    composed = compose(
        shipped(Language.KO),
        ABANDONED_CHECKOUT,
        facts(Language.KO, with_coupon=False, first_name="", checkout=checkout),
    )

    # then
    assert composed.text.startswith("안녕하세요.\n")
    assert f"린넨 셔츠: 1 {TIMES} ₩693,550 = ₩693,550\n" in composed.text
    assert "합계: ₩693,550\n" in composed.text
    assert "693550.00" not in composed.html
    assert ">₩693,550</td>" in composed.html
    assert ">주문 완료하기</a>" in composed.html


@pytest.mark.parametrize(
    ("amount", "currency", "language", "written"),
    [
        ("1.99", "USD", Language.EN, "$1.99"),
        ("693550", "KRW", Language.KO, "₩693,550"),
        ("693550", "KRW", Language.EN, "₩693,550"),
        ("1234.5", "EUR", Language.EN, "€1,234.50"),
        ("1.99", "USD", Language.KO, "US$1.99"),
        ("5", "", Language.EN, "5.00"),
    ],
)
def test_money_is_written_for_the_currency_and_language(
    amount, currency, language, written
):
    assert money(Decimal(amount), currency, language) == written


def test_dates_are_written_in_words():
    moment = datetime(2026, 3, 9, tzinfo=UTC).date()
    assert (day(moment, Language.EN), day(moment, Language.KO)) == (
        "March 9, 2026",
        "2026년 3월 9일",
    )


def test_lines_past_twenty_are_counted_in_the_text_and_the_total_is_whole():
    composed = compose(shipped(), ABANDONED_CHECKOUT, facts(checkout=a_checkout(22)))
    assert (
        f"Linen shirt 20 (M / Blue): 20 {TIMES} $45.00 = $900.00\n"
        "…and 2 more in your cart\n"
        "Total: $11,385.00\n"
    ) in composed.text
    assert "Linen shirt 21" not in composed.text


def test_a_fixed_amount_coupon_is_money_of_the_channel():
    composed = compose(
        shipped(),
        WIN_BACK,
        facts(checkout=None, coupon=Coupon(Decimal("5"), False)),
    )
    assert composed.subject == "We miss you: $5.00 off your next order at Example Store"


def test_a_stores_own_body_gets_the_new_variables_and_its_text_follows_it():
    # given: the dashboard's template uses the line and preview variables
    campaigns = configuration.channel_settings(
        {
            "abandoned_checkout_body": (
                '<p>{{preview}}</p>{{#each lines}}<p><img src="{{image_url}}" '
                'alt="{{name}}" width="64" height="64">{{name}} / {{variant_name}}: '
                "{{quantity}} &times; {{price}} = {{line_total}}</p>{{/each}}"
                '<p><a href="{{link}}">Back to your cart</a></p>'
            )
        }
    ).campaigns

    # when
    composed = compose(campaigns, ABANDONED_CHECKOUT, facts(checkout=a_checkout(1)))

    # then
    assert composed.html == (
        "<p>10% off your cart with code JRN-ABCDE: your items are saved for you.</p>"
        '<p><img src="https://shop.example.com/thumbnail/1/256/" alt="Linen shirt 1" '
        'width="64" height="64">Linen shirt 1 / M / Blue: 1 &times; $45.00 = '
        '$45.00</p><p><a href="https://journey.example.com/click/x/">Back to your '
        "cart</a></p>"
    )
    assert composed.text == (
        "10% off your cart with code JRN-ABCDE: your items are saved for you.\n"
        f"Linen shirt 1 / M / Blue: 1 {TIMES} $45.00 = $45.00\n"
        "Back to your cart: https://journey.example.com/click/x/\n"
    )


def test_the_logo_setting_is_an_http_url():
    assert configuration.errors({"email_logo_url": "logo.png"}) == {
        "email_logo_url": (
            "email_logo_url must be an http(s) URL of an image, got 'logo.png'."
        )
    }
    assert (
        configuration.errors({"email_logo_url": "https://cdn.example.com/logo.png"})
        == {}
    )
    assert (
        configuration.channel_settings(
            {"email_logo_url": "https://cdn.example.com/logo.png"}
        ).campaigns.email_logo_url
        == "https://cdn.example.com/logo.png"
    )


def test_without_a_logo_the_store_name_heads_the_email_and_no_address_no_line():
    composed = compose(shipped(), REVIEW_REQUEST, facts(postal_address=()))
    found = tags(composed.html)
    assert found.of("img") == []
    assert ">Example Store</div>" in composed.html
    assert composed.text.rstrip().splitlines()[-1].startswith("Unsubscribe: ")
