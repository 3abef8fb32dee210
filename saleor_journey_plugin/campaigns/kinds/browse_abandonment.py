"""Browse abandonment: show a subscriber the products they looked at and left.

A customer's views of one day (UTC) are one campaign: each view moves the
step, so it counts from the day's last view. The email shows at most three of
the products viewed, the most viewed first, as the store describes them (name,
picture, price, page): the tracked payload only names a product, and an
anonymous caller can put anything in it.
"""

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from ...core.events import EventType
from ...core.fields import Field, http_url
from ...core.host import ProductCard, get_host
from ...core.presets import Language
from ...models import Customer, JourneyEvent
from ..mail.money import money
from ..models import CampaignMessage, MessageStatus
from ..tokens import click_token
from .base import CampaignKind, named, storefront_home, storefront_page

if TYPE_CHECKING:
    from ...core.host import ChannelSettings, Host
    from ..settings import CampaignSettings

PRODUCT_URL_TEMPLATE = "browse_abandonment_product_url_template"
PLACEHOLDER = "{slug}"
# Products an email shows.
SHOWN = 3
# Product ids asked of the store per email: a client can track any number of
# made-up ids, and the most viewed real ones are among the first.
ASKED = 20
# At most one browse email per customer in this long.
ONE_EMAIL_IN = timedelta(days=7)
_DAY = timedelta(days=1)
_ENDS = {
    EventType.CHECKOUT_STARTED.value: "The customer started a checkout.",
    EventType.ORDER_PLACED.value: "An order was placed.",
}


class BrowseAbandonment(CampaignKind):
    value = "browse_abandonment"
    label = "Browse abandonment"
    position = 4
    triggers = frozenset({EventType.PRODUCT_VIEWED})
    default_steps = "4h"
    needs_checkout = False
    # The step counts from the day's last view.
    reschedules = True
    # It rests on tracking what the customer looked at.
    subscribers_only = True
    variables_help = (
        "products (name, price, currency, image_url, url: at most 3, the most "
        "viewed first)"
    )

    def subjects(self, events: Sequence[JourneyEvent]) -> dict[int, str]:
        # An anonymous visitor's views schedule nothing: the address it may
        # have typed is unverified. Once it signs in, its views are folded
        # again as the account's.
        known = set(
            Customer.objects.filter(
                pk__in={e.customer_id for e in events}, visitor_id__isnull=True
            ).values_list("pk", flat=True)
        )
        return {
            e.pk: f"{e.customer_id}:{e.occurred_at.astimezone(UTC).date().isoformat()}"
            for e in events
            if e.customer_id in known and _product(e.payload)
        }

    def ended(self, messages: Sequence[CampaignMessage]) -> dict[int, str]:
        """A checkout or an order since the day's first view; a browse email
        to the customer within a week; or nothing viewed that the store still
        sells in the channel."""
        views = _views(messages)
        ended = {
            **_nothing_to_show(messages, views),
            **_checkouts_or_orders(messages, views),
        }
        # Of the rest, one per customer at most.
        left = [m for m in messages if m.pk not in ended]
        return {**ended, **(_emailed(left) if left else {})}

    def link(self, subject: str, campaigns: "CampaignSettings") -> str:
        # The button leads to the shop; each product links to its own page.
        return storefront_home(campaigns)

    def product_link(self, slug: str, campaigns: "CampaignSettings") -> str:
        return storefront_page(
            campaigns.options[PRODUCT_URL_TEMPLATE], PLACEHOLDER, slug
        )

    def variables(
        self, message: CampaignMessage, settings: "ChannelSettings", host: "Host"
    ) -> dict[str, Any]:
        assert settings.campaigns is not None  # a message being sent is on
        viewed = _views([message])[message.pk]

        def followed(card: ProductCard) -> str:
            # Through the click link, so a product's click counts as the
            # button's does; it lands on product_link's page.
            token = click_token(message.pk, card.slug)
            return host.public_url(message.channel, f"click/{token}/")

        return {
            "products": product_lines(
                _shown(viewed, host.product_cards(message.channel, viewed.asked())),
                followed,
                settings.campaigns.language,
            )
        }

    def fields(self) -> list[Field]:
        return [
            Field(
                PRODUCT_URL_TEMPLATE,
                default="",
                label="Product URL",
                help="The storefront's product page with {slug}, e.g. "
                "https://shop.example.com/products/{slug}. Required for browse "
                "abandonment emails.",
                parse=http_url(PLACEHOLDER),
            )
        ]

    def required(self) -> dict[str, str]:
        return {PRODUCT_URL_TEMPLATE: PLACEHOLDER}


def product_lines(
    cards: Sequence[ProductCard],
    link: Callable[[ProductCard], str],
    language: Language,
) -> list[dict[str, str]]:
    """Products as the templates show them: the one place a product card
    becomes template variables."""
    return [
        {
            "name": card.name,
            "price": (
                "" if card.price is None else money(card.price, card.currency, language)
            ),
            "currency": card.currency if card.price is not None else "",
            "image_url": card.image_url,
            "url": link(card),
        }
        for card in cards
    ]


@dataclass
class _Viewed:
    """One message's day of views: each product id's views and latest view."""

    first: datetime | None = None
    counts: Counter[str] = field(default_factory=Counter)
    latest: dict[str, datetime] = field(default_factory=dict)

    def add(self, product: str, at: datetime) -> None:
        self.first = at if self.first is None else min(self.first, at)
        self.counts[product] += 1
        self.latest[product] = max(self.latest.get(product, at), at)

    def asked(self) -> list[str]:
        """The ids to ask the store about, the most viewed first (then the
        latest viewed)."""
        ranked = sorted(
            self.counts,
            key=lambda p: (-self.counts[p], -self.latest[p].timestamp(), p),
        )
        return ranked[:ASKED]


def _shown(viewed: _Viewed, cards: dict[str, ProductCard]) -> list[ProductCard]:
    """At most ``SHOWN`` products the store sells, the most viewed first; two
    ids naming one product count as that product."""
    counts: Counter[str] = Counter()
    latest: dict[str, datetime] = {}
    found: dict[str, ProductCard] = {}
    for product in viewed.asked():
        card = cards.get(product)
        if card is None:
            continue
        found[card.id] = card
        counts[card.id] += viewed.counts[product]
        at = viewed.latest[product]
        latest[card.id] = max(latest.get(card.id, at), at)
    ranked = sorted(found, key=lambda p: (-counts[p], -latest[p].timestamp(), p))
    return [found[p] for p in ranked[:SHOWN]]


def _day(message: CampaignMessage) -> datetime:
    start = date.fromisoformat(message.subject.partition(":")[2])
    return datetime.combine(start, time(), tzinfo=UTC)


def _product(payload: object) -> str:
    product = payload.get("product_id") if isinstance(payload, dict) else None
    return product if isinstance(product, str) else ""


def _views(messages: Sequence[CampaignMessage]) -> dict[int, _Viewed]:
    """Each message's views: its customer's in its channel on its day (one
    query for the batch)."""
    days = {m.pk: _day(m) for m in messages}
    wanted: dict[tuple[str, int | None, datetime], list[int]] = defaultdict(list)
    for m in messages:
        wanted[(m.channel, m.customer_id, days[m.pk])].append(m.pk)
    found = {m.pk: _Viewed() for m in messages}
    rows = JourneyEvent.objects.filter(
        type=EventType.PRODUCT_VIEWED.value,
        channel__in=sorted({m.channel for m in messages}),
        customer_id__in=sorted({m.customer_id for m in messages if m.customer_id}),
        occurred_at__gte=min(days.values()),
        occurred_at__lt=max(days.values()) + _DAY,
    ).values_list("channel", "customer_id", "occurred_at", "payload")
    for channel, customer_id, at, payload in rows:
        day = datetime.combine(at.astimezone(UTC).date(), time(), tzinfo=UTC)
        product = _product(payload)
        if product:
            for message_id in wanted.get((channel, customer_id, day), ()):
                found[message_id].add(product, at)
    return found


def _checkouts_or_orders(
    messages: Sequence[CampaignMessage], views: dict[int, _Viewed]
) -> dict[int, str]:
    firsts = [v.first for v in views.values() if v.first is not None]
    if not firsts:
        return {}
    latest: dict[tuple[str, int | None, str], datetime] = {}
    for channel, customer_id, type_, at in JourneyEvent.objects.filter(
        type__in=list(_ENDS),
        channel__in=sorted({m.channel for m in messages}),
        customer_id__in=sorted({m.customer_id for m in messages if m.customer_id}),
        occurred_at__gte=min(firsts),
    ).values_list("channel", "customer_id", "type", "occurred_at"):
        key = (channel, customer_id, type_)
        latest[key] = max(latest.get(key, at), at)
    ended = {}
    for m in messages:
        first = views[m.pk].first
        for type_, reason in _ENDS.items():
            ended_at = latest.get((m.channel, m.customer_id, type_))
            if first is not None and ended_at is not None and ended_at >= first:
                ended[m.pk] = reason
                break
    return ended


def _emailed(messages: Sequence[CampaignMessage]) -> dict[int, str]:
    """A browse email sent (or being sent) to the customer within
    ``ONE_EMAIL_IN`` of this one's last view, or due before it in this batch."""
    reason = "A browse reminder went to the customer within a week."
    sent: dict[int | None, list[datetime]] = defaultdict(list)
    for customer_id, at in CampaignMessage.objects.filter(
        kind=BrowseAbandonment.value,
        customer_id__in=sorted({m.customer_id for m in messages if m.customer_id}),
        status__in=[MessageStatus.SENDING, MessageStatus.SENT],
        sent_at__gte=min(m.triggered_at for m in messages) - ONE_EMAIL_IN,
    ).values_list("customer_id", "sent_at"):
        if at is not None:
            sent[customer_id].append(at)
    ended = {}
    first_in_batch: set[int | None] = set()
    for m in messages:
        earlier = any(at >= m.triggered_at - ONE_EMAIL_IN for at in sent[m.customer_id])
        if earlier or m.customer_id in first_in_batch:
            ended[m.pk] = reason
        first_in_batch.add(m.customer_id)
    return ended


def _nothing_to_show(
    messages: Sequence[CampaignMessage], views: dict[int, _Viewed]
) -> dict[int, str]:
    """Nothing viewed that the store still sells in the channel (one question
    to the store per channel)."""
    asked: dict[str, set[str]] = defaultdict(set)
    for m in messages:
        asked[m.channel].update(views[m.pk].asked())
    host = get_host()
    sold = {
        channel: set(host.product_cards(channel, sorted(ids))) if ids else set()
        for channel, ids in asked.items()
    }
    return {
        m.pk: "None of the viewed products is on sale in the channel."
        for m in messages
        if not sold[m.channel] & set(views[m.pk].asked())
    }


BROWSE_ABANDONMENT = named(BrowseAbandonment.value)
