"""Writing events to the log: one INSERT, duplicates ignored by the unique key."""

from django.db import connection
from django.utils import timezone
from django.utils.crypto import salted_hmac

from ..models import JourneyEvent
from .events import JourneyEventData, normalize_email

_COLUMNS = (
    "idempotency_key",
    "type",
    "channel",
    "user_id",
    "email",
    "visitor_id",
    "occurred_at",
    "recorded_at",
    "touch_channel",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "referrer",
    "search_term",
    "payload",
    "customer_id",
    "stage",
    "attempts",
    "last_error",
)
_INSERT = (
    f"INSERT INTO {JourneyEvent._meta.db_table} ({', '.join(_COLUMNS)}) "
    f"VALUES ({', '.join(['%s'] * len(_COLUMNS))}) "
    "ON CONFLICT (idempotency_key) DO NOTHING RETURNING id"
)


KEY_SALT = "saleor_journey_plugin.idempotency_key"


def stored_key(key: str) -> str:
    """What the log keeps of an idempotency key: an HMAC with the site's secret.

    Keys name the fact they dedupe (a visitor and its event id, an order), so
    the plain key can name a person; the digest lets a redelivery find its
    event without the log holding anything an erasure would have to scrub.
    """
    return salted_hmac(KEY_SALT, key, algorithm="sha256").hexdigest()


def record_event(data: JourneyEventData, customer_id: int | None = None) -> int | None:
    """Store the event; return its id, or None if its key was already stored."""
    payload_field = JourneyEvent._meta.get_field("payload")
    time_field = JourneyEvent._meta.get_field("occurred_at")
    values = (
        stored_key(data.idempotency_key),
        data.type.value,
        data.channel,
        str(data.user_id or ""),
        normalize_email(data.email),
        data.visitor_id,
        time_field.get_db_prep_value(data.occurred_at, connection),
        time_field.get_db_prep_value(timezone.now(), connection),
        data.touch_channel.value,
        data.source.utm_source[:255],
        data.source.utm_medium[:255],
        data.source.utm_campaign[:255],
        data.source.referrer[:1024],
        data.source.search_term[:255],
        payload_field.get_db_prep_value(data.payload, connection),
        customer_id,
        "",
        0,
        "",
    )
    with connection.cursor() as cursor:
        cursor.execute(_INSERT, values)
        row = cursor.fetchone()
    return row[0] if row else None


def recorded_keys(keys: list[str]) -> set[str]:
    """Which of these idempotency keys are already in the log (one index lookup)."""
    if not keys:
        return set()
    by_digest = {stored_key(key): key for key in keys}
    placeholders = ", ".join(["%s"] * len(keys))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT idempotency_key FROM {JourneyEvent._meta.db_table} "
            f"WHERE idempotency_key IN ({placeholders})",
            list(by_digest),
        )
        return {by_digest[row[0]] for row in cursor.fetchall()}
