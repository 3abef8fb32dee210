"""Writing events to the log: one INSERT, duplicates ignored by the unique key."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

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
_TABLE = JourneyEvent._meta.db_table
_INSERT = (
    f"INSERT INTO {_TABLE} ({', '.join(_COLUMNS)}) "
    f"VALUES ({', '.join(['%s'] * len(_COLUMNS))}) "
    "ON CONFLICT (idempotency_key) DO NOTHING RETURNING id"
)
# Rows selected from VALUES carry no column types: each value says its own.
_FIELDS = {field.column: field for field in JourneyEvent._meta.concrete_fields}
_TYPED_ROW = ", ".join(
    f"%s::{_FIELDS[column].cast_db_type(connection)}" for column in _COLUMNS
)


KEY_SALT = "saleor_journey_plugin.idempotency_key"


def stored_key(key: str) -> str:
    """What the log keeps of an idempotency key: an HMAC with the site's secret.

    Keys name the fact they dedupe (a visitor and its event id, an order), so
    the plain key can name a person; the digest lets a redelivery find its
    event without the log holding anything an erasure would have to scrub.
    """
    return salted_hmac(KEY_SALT, key, algorithm="sha256").hexdigest()


@dataclass(frozen=True)
class Condition:
    """SQL an event's row needs to hold when it is written (an EXISTS, say):
    checked by the INSERT itself, so it costs no statement of its own."""

    sql: str
    params: tuple[Any, ...] = ()


def record_event(data: JourneyEventData, customer_id: int | None = None) -> int | None:
    """Store the event; return its id, or None if its key was already stored."""
    with connection.cursor() as cursor:
        cursor.execute(_INSERT, _values(data, customer_id))
        row = cursor.fetchone()
    return row[0] if row else None


def record_events(
    events: Sequence[JourneyEventData],
    *,
    customer_id: int | None = None,
    only_if: Mapping[str, Condition] | None = None,
) -> list[int | None]:
    """Store the events in one statement; each one's new id, or None where its
    key was already stored or its condition (``only_if``, by idempotency key)
    did not hold."""
    if not events:
        return []
    conditions = only_if or {}
    if len(events) == 1 and not conditions:
        # An order hook's one fact: the plain INSERT plans in about half the
        # time of the typed VALUES one (measured inside Saleor: 440 us
        # against 715 us per call).
        return [record_event(events[0], customer_id)]
    if connection.vendor != "postgresql":
        return _one_by_one(events, customer_id, conditions)
    rows = []
    params: list[Any] = []
    for data in events:
        condition = conditions.get(data.idempotency_key)
        rows.append(f"({_TYPED_ROW}, {condition.sql if condition else 'TRUE'})")
        params.extend(_values(data, customer_id))
        if condition:
            params.extend(condition.params)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_TABLE} ({', '.join(_COLUMNS)}) "
            f"SELECT {', '.join(_COLUMNS)} FROM (VALUES {', '.join(rows)}) "
            f"AS row ({', '.join(_COLUMNS)}, wanted) WHERE wanted "
            "ON CONFLICT (idempotency_key) DO NOTHING RETURNING idempotency_key, id",
            params,
        )
        ids = dict(cursor.fetchall())
    # A fact named twice in one call is written once: its first copy's.
    return [ids.pop(stored_key(data.idempotency_key), None) for data in events]


def _one_by_one(
    events: Sequence[JourneyEventData],
    customer_id: int | None,
    conditions: Mapping[str, Condition],
) -> list[int | None]:
    # The example store's embedded SQLite has neither typed VALUES rows nor
    # column aliases on them; its demo records one event at a time anyway.
    ids: list[int | None] = []
    seen: set[str] = set()
    with connection.cursor() as cursor:
        for data in events:
            condition = conditions.get(data.idempotency_key)
            wanted = data.idempotency_key not in seen
            if wanted and condition:
                cursor.execute(f"SELECT {condition.sql}", condition.params)
                wanted = bool(cursor.fetchone()[0])
            seen.add(data.idempotency_key)
            ids.append(record_event(data, customer_id) if wanted else None)
    return ids


def _values(data: JourneyEventData, customer_id: int | None) -> tuple[Any, ...]:
    payload_field = JourneyEvent._meta.get_field("payload")
    time_field = JourneyEvent._meta.get_field("occurred_at")
    return (
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
