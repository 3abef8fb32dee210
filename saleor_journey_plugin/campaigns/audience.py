"""Who may receive campaign emails: unsubscribes and marketing opt-ins."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, Max

from ..core.events import EventType
from ..models import Customer, JourneyEvent
from .models import CampaignUnsubscribe


@dataclass(frozen=True)
class Standing:
    unsubscribed: bool = False
    subscriber: bool = False


NOBODY = Standing()


def standing(pairs: set[tuple[int, str]]) -> dict[tuple[int, str], Standing]:
    """For many (customer id, channel) pairs at once (two queries): whether
    each unsubscribed (a campaign unsubscribe or an UNSUBSCRIBED event, in the
    channel or customer-wide) and has not opted in since, and whether each is
    a subscriber (a marketing opt-in on record, not unsubscribed since)."""
    if not pairs:
        return {}
    customers = sorted({customer_id for customer_id, _ in pairs})
    channels = sorted({channel for _, channel in pairs})
    left: dict[tuple[int, str], datetime] = dict(
        ((customer_id, channel), at)
        for customer_id, channel, at in CampaignUnsubscribe.objects.filter(
            customer_id__in=customers, channel__in=channels
        ).values_list("customer_id", "channel", "at")
    )
    latest: dict[tuple[int, str, str], datetime] = {}
    rows = (
        JourneyEvent.objects.filter(
            customer_id__in=customers,
            channel__in=[*channels, ""],
            type__in=[EventType.UNSUBSCRIBED.value, EventType.NEWSLETTER_OPT_IN.value],
        )
        .values("customer_id", "channel", "type")
        .annotate(at=Max("occurred_at"))
        .values_list("customer_id", "channel", "type", "at")
    )
    for customer_id, channel, type_, at in rows:
        latest[(customer_id, channel, type_)] = at

    def last(customer_id: int, channel: str, event_type: EventType) -> datetime | None:
        # The channel's own events and the customer-wide ones (no channel).
        times = [
            latest.get((customer_id, where, event_type.value))
            for where in (channel, "")
        ]
        return max((t for t in times if t is not None), default=None)

    found = {}
    for customer_id, channel in pairs:
        opted_in = last(customer_id, channel, EventType.NEWSLETTER_OPT_IN)
        times = [
            left.get((customer_id, channel)),
            last(customer_id, channel, EventType.UNSUBSCRIBED),
        ]
        gone = max((t for t in times if t is not None), default=None)
        unsubscribed = gone is not None and (opted_in is None or opted_in <= gone)
        found[(customer_id, channel)] = Standing(
            unsubscribed=unsubscribed,
            subscriber=opted_in is not None and not unsubscribed,
        )
    return found


def is_unsubscribed(customer_id: int, channel: str) -> bool:
    """Unsubscribed (from a campaign email or the storefront) and not opted in since."""
    pair = (customer_id, channel)
    return standing({pair})[pair].unsubscribed


def holders(emails: set[str]) -> dict[str, list[Customer]]:
    """The accounts and guests whose own address each (normalised) email is,
    accounts first (one query). A visitor's address is only typed, never
    verified: it makes no one the owner of an address."""
    found: dict[str, list[Customer]] = {}
    if not emails:
        return found
    for customer in Customer.objects.filter(
        email__in=sorted(emails), visitor_id__isnull=True
    ).order_by(F("user_id").asc(nulls_last=True), "pk"):
        found.setdefault(customer.email, []).append(customer)
    return found


def add_guests(emails: set[str]) -> None:
    """A guest for each address nobody holds yet, as a guest checkout with that
    address would make (one INSERT; a guest made meanwhile is kept)."""
    Customer.objects.bulk_create(
        [Customer(email=email) for email in sorted(emails)], ignore_conflicts=True
    )
