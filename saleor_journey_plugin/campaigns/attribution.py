"""Crediting orders to the campaign emails that recovered them.

A follower of the applied events (``core/followers.py``), in the drain's
transaction. An order is recovered by a campaign when, before it was placed,
a campaign email was sent

- about the checkout the order comes from (an abandoned-checkout reminder of
  that checkout token, however long ago),
- to the same customer within the channel's ``attribution_days``, or
- with a coupon code the order used (the code was in that email only).

The latest of those emails gets the credit (last touch). The order's revenue is
its gross total; the campaign's cost is the discount of the codes campaign
emails issued, as the order-placed event reports them (payload ``coupons``:
``[{"code": ..., "discount": "4.50"}]``), or the host where the event has none.

One row per (channel, order), inserted with the conflict ignored: a redelivered,
replayed or rebuilt order event credits nothing twice. A cancellation or a
full refund marks the row void from that moment; the report counts its
revenue and discount only in periods ending before it. A partial refund
(``"partial": true``) leaves the credit whole: the order was still recovered.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q

from ..core.events import EventType
from ..core.host import CouponUse, get_host
from ..models import JourneyEvent
from ..reports.money import parse_amount, quantize
from ..reports.orders import NOT_PARTIAL
from . import settings as campaign_settings
from .kinds import checkout_kinds, named
from .models import CampaignAttribution, CampaignMessage, MessageStatus

_PLACED = EventType.ORDER_PLACED.value
_VOIDING = (EventType.ORDER_CANCELLED.value, EventType.ORDER_REFUNDED.value)
MAX_CODES = 10


class Attributor:
    def fold(self, event_ids: Sequence[int], sign: int) -> None:
        # Taking events back (a rewrite) keeps the credit: the order was
        # recovered; folding them in again finds the row already there.
        if sign != 1:
            return
        events = list(
            JourneyEvent.objects.filter(
                pk__in=list(event_ids), type__in=[_PLACED, *_VOIDING]
            )
            # A partial refund leaves the order recovered (placed events
            # carry no flag).
            .filter(NOT_PARTIAL)
            .exclude(channel="")
            .only("pk", "type", "channel", "occurred_at", "customer_id", "payload")
            .order_by("occurred_at", "pk")
        )
        placed = [event for event in events if event.type == _PLACED]
        channels = {event.channel for event in placed}
        # A store that sent no campaign email pays one query per batch.
        if (
            placed
            and CampaignMessage.objects.filter(
                channel__in=channels, sent_at__isnull=False
            ).exists()
        ):
            windows = {channel: _window(channel) for channel in channels}
            for event in placed:
                credit(event, windows[event.channel])
        for event in events:
            if event.type != _PLACED:
                void(event.channel, _order_id(event), event.occurred_at)


def credit(event: JourneyEvent, window: timedelta) -> None:
    """Credit the order of this ORDER_PLACED event to its last campaign touch.

    ``window`` is the channel's ``attribution_days``.
    """
    payload = event.payload or {}
    order_id = _order_id(event)
    if not order_id:
        return
    uses = coupon_uses(payload)
    message = last_touch(
        event.channel,
        event.occurred_at,
        checkout=str(payload.get("checkout") or ""),
        customer_id=event.customer_id,
        codes=[use.code for use in uses or ()],
        window=window,
    )
    if message is None:
        return
    if uses is None:
        uses = get_host().order_coupons(event.channel, order_id) or ()
    currency = str(payload.get("currency") or "").upper()
    coupon_message, code, cost = _campaign_discount(event.channel, uses, currency)
    recovered = CampaignAttribution(
        channel=event.channel,
        order_id=order_id,
        message=message,
        coupon_message=coupon_message,
        checkout=message.subject if named(message.kind).needs_checkout else "",
        placed_at=event.occurred_at,
        currency=currency,
        revenue=_money(payload.get("total"), currency),
        discount_cost=cost,
        coupon_code=code,
        voided_at=_voided_at(event.channel, order_id, event.occurred_at),
    )
    CampaignAttribution.objects.bulk_create([recovered], ignore_conflicts=True)


def last_touch(
    channel: str,
    placed_at: datetime,
    *,
    checkout: str,
    customer_id: int | None,
    codes: Sequence[str],
    window: timedelta,
) -> CampaignMessage | None:
    """The latest campaign email sent before ``placed_at`` that recovered it."""
    sent = CampaignMessage.objects.filter(
        channel=channel, status=MessageStatus.SENT, sent_at__lte=placed_at
    )
    # One indexed query per way an email can have led to the order.
    candidates = []
    if checkout:
        candidates.append(sent.filter(kind__in=checkout_kinds(), subject=checkout))
    if customer_id is not None:
        candidates.append(
            sent.filter(
                customer_id=customer_id,
                sent_at__gte=placed_at - window,
            )
        )
    if codes:
        candidates.append(sent.filter(coupon_code__in=list(codes)))
    latest = [
        found
        for query in candidates
        if (found := query.order_by("-sent_at", "-pk").first()) is not None
    ]
    return max(latest, key=lambda m: (m.sent_at, m.pk), default=None)


def void(channel: str, order_id: str, at: datetime) -> None:
    """The order was cancelled or fully refunded at ``at`` (the first time counts)."""
    if not order_id:
        return
    CampaignAttribution.objects.filter(channel=channel, order_id=order_id).filter(
        Q(voided_at__isnull=True) | Q(voided_at__gt=at)
    ).update(voided_at=at)


def coupon_uses(payload: dict[str, Any]) -> tuple[CouponUse, ...] | None:
    """The codes in an order event's payload; None when it names none at all.

    Entries that are not a code with a decimal discount are left out: payloads
    come from adapters and old events, and the drain must not stop on one.
    """
    found = payload.get("coupons")
    if not isinstance(found, list):
        return None
    uses = []
    for entry in found[:MAX_CODES]:
        if not isinstance(entry, dict) or not isinstance(entry.get("code"), str):
            continue
        discount = parse_amount(entry.get("discount"))
        uses.append(CouponUse(code=entry["code"], discount=discount or Decimal(0)))
    return tuple(uses)


def coupon_payload(uses: Sequence[CouponUse]) -> list[dict[str, str]]:
    """What an adapter puts in an order-placed payload's ``coupons``."""
    return [{"code": use.code, "discount": str(use.discount)} for use in uses]


def _campaign_discount(
    channel: str, uses: Sequence[CouponUse], currency: str
) -> tuple[CampaignMessage | None, str, Decimal]:
    """The campaign email whose code the order used, the code, and the discount.

    Only codes campaign emails issued count; others (a store's own voucher)
    are not the campaign's cost.
    """
    by_code = {use.code: use for use in uses if use.code}
    if not by_code:
        return None, "", Decimal(0)
    issued = list(
        CampaignMessage.objects.filter(
            channel=channel, coupon_code__in=list(by_code)
        ).order_by("pk")
    )
    if not issued:
        return None, "", Decimal(0)
    cost = sum(
        (_money(by_code[m.coupon_code].discount, currency) for m in issued),
        Decimal(0),
    )
    return issued[0], issued[0].coupon_code, cost


def _voided_at(channel: str, order_id: str, placed_at: datetime) -> datetime | None:
    """A cancellation or full refund applied before the order event (out of
    order)."""
    return (
        JourneyEvent.objects.filter(
            type__in=_VOIDING,
            occurred_at__gte=placed_at,
            channel=channel,
            payload__order_id=order_id,
            processed_at__isnull=False,
        )
        .filter(NOT_PARTIAL)
        .order_by("occurred_at")
        .values_list("occurred_at", flat=True)
        .first()
    )


def _window(channel: str) -> timedelta:
    settings = get_host().channel_settings(channel)
    campaigns = campaign_settings.of(settings) if settings else campaign_settings.NONE
    return timedelta(days=campaigns.attribution_days)


def _order_id(event: JourneyEvent) -> str:
    return str((event.payload or {}).get("order_id") or "")


def _money(value: Any, currency: str) -> Decimal:
    return quantize(parse_amount(value) or Decimal(0), currency)


ATTRIBUTOR = Attributor()
