"""Earning from events: paid orders, refunds and verified reviews, as the
drain applies their events, in the drain's transaction."""

from collections.abc import Sequence

from ..core import erasure, export, followers, identity
from ..core.events import EventType
from ..core.host import get_host
from ..models import JourneyEvent
from ..reports.money import parse_amount
from . import customers
from .batch import Fact, Paid, Refunded, Reviewed, post_facts
from .settings import LoyaltySettings

EVENT_TYPES = (
    EventType.ORDER_PAID.value,
    EventType.ORDER_REFUNDED.value,
    EventType.REVIEW_SUBMITTED.value,
)


class Loyalty:
    """The follower: acts once, when an event is first applied.

    Rewrites (merges, rebuilds, erasures) hand events back: they are skipped,
    and the entries' idempotency keys would make them no-ops anyway.
    """

    def fold(self, event_ids: Sequence[int], sign: int) -> None:
        if sign != 1 or followers.is_refold(event_ids):
            return
        events = (
            JourneyEvent.objects.filter(
                pk__in=list(event_ids),
                type__in=EVENT_TYPES,
                customer__isnull=False,
                processed_at__isnull=False,
            )
            .exclude(channel="")
            .order_by("occurred_at", "id")
            .only("type", "channel", "customer_id", "payload", "occurred_at")
        )
        settings: dict[str, LoyaltySettings | None] = {}
        facts = []
        for event in events:
            if event.channel not in settings:
                settings[event.channel] = _enabled(event.channel)
            if settings[event.channel] is not None and (found := fact(event)):
                facts.append(found)
        if facts:
            post_facts(facts, {c: s for c, s in settings.items() if s is not None})


def _enabled(channel: str) -> LoyaltySettings | None:
    found = get_host().channel_settings(channel)
    if found is None or found.loyalty is None or not found.loyalty.enabled:
        return None
    return found.loyalty


def fact(event: JourneyEvent) -> Fact | None:
    """What the event means for the ledger; None if nothing (or a payload
    that names no order, amount or product)."""
    payload = event.payload or {}
    customer = event.customer_id
    assert customer is not None
    order_id = str(payload.get("order_id") or "")
    if event.type == EventType.ORDER_PAID.value:
        # Points are for the net total; adapters that send only the gross
        # total earn on that.
        net = parse_amount(payload.get("net", payload.get("total")))
        if order_id and net is not None:
            return Paid(event.channel, customer, order_id, net, event.occurred_at)
    elif event.type == EventType.ORDER_REFUNDED.value:
        total = parse_amount(payload.get("total"))
        # "refunded": what the order has had refunded so far (a partial
        # refund); without it the refund is of the whole order.
        refunded = parse_amount(payload["refunded"]) if "refunded" in payload else total
        if order_id and total is not None and refunded is not None:
            return Refunded(
                event.channel,
                customer,
                order_id,
                refunded,
                total,
                str(payload.get("refunded", "full")),
                event.occurred_at,
            )
    elif event.type == EventType.REVIEW_SUBMITTED.value:
        # The store's id of the product bought, not the name the review
        # service used: one product's aliases would each earn again.
        product = payload.get("purchased_product")
        if payload.get("verified") is True and isinstance(product, str) and product:
            return Reviewed(
                event.channel,
                customer,
                product,
                str(payload.get("review_id") or ""),
                event.occurred_at,
            )
    return None


LOYALTY = Loyalty()


def connect() -> None:
    """Follow the drain; move, forget or export entries with their customers;
    add the ``loyalty`` report to the store reports."""
    from . import report  # noqa: F401 (registers the report)

    followers.follow(LOYALTY)
    identity.on_merge(customers.move_to_account)
    erasure.on_erase(customers.forget)
    export.on_export("loyalty", customers.export)
