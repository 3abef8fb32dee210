"""Plain journey events: what every adapter translates its own objects into."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class EventType(StrEnum):
    VISIT = "VISIT"
    ACCOUNT_CREATED = "ACCOUNT_CREATED"
    # The store's account changed (confirmed, a new email): customer-wide, it
    # moves nobody; it sets the account's email and may join a guest to it.
    ACCOUNT_UPDATED = "ACCOUNT_UPDATED"
    NEWSLETTER_OPT_IN = "NEWSLETTER_OPT_IN"
    # An anonymous opt-in waiting for its double opt-in link: it moves nobody.
    NEWSLETTER_OPT_IN_REQUESTED = "NEWSLETTER_OPT_IN_REQUESTED"
    PRODUCT_VIEWED = "PRODUCT_VIEWED"
    CHECKOUT_STARTED = "CHECKOUT_STARTED"
    CHECKOUT_DETAILS_ADDED = "CHECKOUT_DETAILS_ADDED"
    DELIVERY_METHOD_CHOSEN = "DELIVERY_METHOD_CHOSEN"
    CHECKOUT_PAID = "CHECKOUT_PAID"
    CHECKOUT_ABANDONED = "CHECKOUT_ABANDONED"
    ORDER_PLACED = "ORDER_PLACED"
    ORDER_PAID = "ORDER_PAID"
    ORDER_FULFILLED = "ORDER_FULFILLED"
    ORDER_CANCELLED = "ORDER_CANCELLED"
    ORDER_REFUNDED = "ORDER_REFUNDED"
    REVIEW_SUBMITTED = "REVIEW_SUBMITTED"
    # A review edited at the review service with a new rating (the latest counts).
    REVIEW_EDITED = "REVIEW_EDITED"
    UNSUBSCRIBED = "UNSUBSCRIBED"
    LAPSE_DETECTED = "LAPSE_DETECTED"
    CUSTOMER_DELETED = "CUSTOMER_DELETED"
    # Campaign email touchpoints (``campaigns/``): they move nobody.
    EMAIL_SENT = "EMAIL_SENT"
    EMAIL_CLICKED = "EMAIL_CLICKED"


class TouchChannel(StrEnum):
    WEB = "WEB"
    APP = "APP"
    EMAIL = "EMAIL"
    OFFLINE = "OFFLINE"
    API = "API"


class Emotion(StrEnum):
    POSITIVE = "POSITIVE"
    NEUTRAL = "NEUTRAL"
    NEGATIVE = "NEGATIVE"


PAIN_POINTS: frozenset[EventType] = frozenset(
    {
        EventType.CHECKOUT_ABANDONED,
        EventType.ORDER_CANCELLED,
        EventType.ORDER_REFUNDED,
        EventType.UNSUBSCRIBED,
    }
)


REVIEWS: frozenset[EventType] = frozenset(
    {EventType.REVIEW_SUBMITTED, EventType.REVIEW_EDITED}
)


def is_pain_point(event_type: EventType | str, rating: int | None = None) -> bool:
    if event_type in REVIEWS:
        return rating is not None and rating <= 2
    return event_type in PAIN_POINTS


def emotion(event_type: EventType | str, rating: int | None = None) -> Emotion | None:
    """How the touchpoint felt; None where the event says nothing about it."""
    if event_type in REVIEWS and rating is not None:
        if rating >= 4:
            return Emotion.POSITIVE
        return Emotion.NEUTRAL if rating == 3 else Emotion.NEGATIVE
    if event_type in PAIN_POINTS:
        return Emotion.NEGATIVE
    return None


# What the store says about its own account (``user.email``): the only facts
# that give an account its email. A checkout's, an order's or a review's
# email is whatever the customer typed there.
ACCOUNT_FACTS: frozenset[EventType] = frozenset(
    {EventType.ACCOUNT_CREATED, EventType.ACCOUNT_UPDATED}
)


def normalize_email(email: str | None) -> str:
    """The address as the plugin compares it: trimmed and lowercased, as
    Saleor lowercases an account's email, except that a non-ASCII character is
    never folded onto an ASCII one ('\u212a', a Kelvin sign, stays itself: a
    look-alike of "K" is not Kate's address)."""
    text = (email or "").strip()
    if text.isascii():
        return text.lower()
    return "".join(char if _folds_to_ascii(char) else char.lower() for char in text)


def _folds_to_ascii(char: str) -> bool:
    return not char.isascii() and any(c.isascii() for c in char.lower())


def is_storable_email(email: str) -> bool:
    """False for an address Saleor would not keep as an account's: a local part
    (before the "@") with a non-ASCII character. Django's validator lets four
    through only because it matches letters case-insensitively (a Kelvin sign,
    a dotless i, a dotted capital I, a long s), and lowercasing folds some of
    them onto someone else's address."""
    local, _, _ = email.rpartition("@")
    return local.isascii()


@dataclass(frozen=True)
class Source:
    """Where a touchpoint came from (UTM parameters, referrer, search term)."""

    utm_source: str = ""
    utm_medium: str = ""
    utm_campaign: str = ""
    referrer: str = ""
    search_term: str = ""


@dataclass(frozen=True)
class JourneyEventData:
    """One thing a customer did, as an adapter reports it.

    ``idempotency_key`` names the fact, not the delivery: the same order paid
    reported five times carries one key, so it is stored and counted once.
    ``channel`` is the store channel's slug; empty for customer-wide facts
    (an account created or deleted), which apply to every active channel.
    ``visitor_id`` is the id a storefront gives an anonymous browser: its events
    stay on that visitor until a signed-in call presents the same id.
    """

    type: EventType
    idempotency_key: str
    occurred_at: datetime
    channel: str = ""
    user_id: str = ""
    email: str = ""
    visitor_id: str = ""
    touch_channel: TouchChannel = TouchChannel.WEB
    source: Source = field(default_factory=Source)
    payload: dict[str, Any] = field(default_factory=dict)
