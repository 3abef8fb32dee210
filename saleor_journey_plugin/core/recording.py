"""Writing events to the log: one INSERT, duplicates ignored by the unique key."""

import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import CharField, Field
from django.utils import timezone

from ..models import JourneyEvent
from .events import JourneyEventData, normalize_email

# The columns an event's values fill, then those every new row starts with
# (written as SQL constants: fewer parameters for the driver to bind).
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
)
_NEW_ROW = {"stage": "''", "attempts": "0", "last_error": "''"}
_TABLE = JourneyEvent._meta.db_table
_INTO = f"INSERT INTO {_TABLE} ({', '.join(_COLUMNS + tuple(_NEW_ROW))}) "
_RETURNING = " ON CONFLICT (idempotency_key) DO NOTHING RETURNING idempotency_key, id"
_ROW = f"({', '.join(['%s'] * len(_COLUMNS) + list(_NEW_ROW.values()))})"
_FIELDS = {field.column: field for field in JourneyEvent._meta.concrete_fields}
_TIME = _FIELDS["occurred_at"]
_PAYLOAD = _FIELDS["payload"]


def _record_type(field: Field) -> str:
    # Text, not varchar(n): the INSERT itself then rejects a value too long
    # for its column, as it does a plain VALUES row's.
    return "text" if isinstance(field, CharField) else str(field.db_type(connection))


# On PostgreSQL the rows travel as one JSON parameter, typed by the record's
# columns: the driver binds one placeholder, not 16 per row. (psycopg keeps
# the last 128 statements it converted, fewer than the distinct ones of a
# Saleor checkoutComplete: it would parse every placeholder of ours again
# in every hook.) Elsewhere (the example store's SQLite) each value is a
# parameter of a plain VALUES row.
_FROM_JSON = (
    f"{_INTO}SELECT {', '.join(_COLUMNS)}, {', '.join(_NEW_ROW.values())} "
    "FROM json_to_recordset(%s::json) AS row ("
    + ", ".join(f"{column} {_record_type(_FIELDS[column])}" for column in _COLUMNS)
    + ")"
)


KEY_SALT = "saleor_journey_plugin.idempotency_key"


def stored_key(key: str) -> str:
    """What the log keeps of an idempotency key: an HMAC with the site's secret.

    Keys name the fact they dedupe (a visitor and its event id, an order), so
    the plain key can name a person; the digest lets a redelivery find its
    event without the log holding anything an erasure would have to scrub.
    The same digest as Django's ``salted_hmac(KEY_SALT, key, "sha256")``
    (migration 0005 wrote the first ones with it), from a copy of an HMAC
    already keyed: a hook computes it on every event, and the one-shot
    ``hmac.digest`` looks the hash up again and lets go of the GIL on every
    call (about 50 us inside Saleor's request, against 1.6 us in a loop).
    """
    digest = _keyed_hmac(settings.SECRET_KEY).copy()
    digest.update(key.encode())
    return digest.hexdigest()


@lru_cache(maxsize=4)
def _keyed_hmac(secret: str) -> hmac.HMAC:
    key = hashlib.sha256((KEY_SALT + secret).encode()).digest()
    return hmac.new(key, digestmod="sha256")


@dataclass(frozen=True)
class Condition:
    """SQL an event's row needs to hold when it is written (an EXISTS, say):
    checked by the INSERT itself, so it costs no statement of its own."""

    sql: str
    params: tuple[Any, ...] = ()


def record_event(data: JourneyEventData, customer_id: int | None = None) -> int | None:
    """Store the event; return its id, or None if its key was already stored."""
    return record_events([data], customer_id=customer_id)[0]


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
    return run_insert(
        insert_statement(events, customer_id=customer_id, only_if=only_if)
    )


@dataclass(frozen=True)
class Insert:
    """The one statement that stores some events; it returns the stored key
    and new id of each row it inserted."""

    sql: str
    params: list[Any]
    keys: list[str]


def run_insert(insert: Insert) -> list[int | None]:
    """Run the statement; each event's new id, or None (see ``record_events``)."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(insert.sql, insert.params)
        ids = dict(cursor.fetchall())
    # A fact named twice in one call is written once: its first copy's.
    return [ids.pop(key, None) for key in insert.keys]


def insert_statement(
    events: Sequence[JourneyEventData],
    *,
    customer_id: int | None = None,
    only_if: Mapping[str, Condition] | None = None,
) -> Insert:
    db = connections[DEFAULT_DB_ALIAS]
    keys = [stored_key(data.idempotency_key) for data in events]
    now = timezone.now()
    if db.vendor == "postgresql":
        sql, params = _json_insert(events, keys, customer_id, now, only_if or {})
    elif only_if:
        # Conditions are SQL of Saleor's tables, asked by its hooks.
        raise NotImplementedError("Recording with conditions needs PostgreSQL.")
    else:
        recorded_at = _TIME.get_db_prep_value(now, db)
        sql = _plain_insert(len(events))
        params = [
            value
            for data, key in zip(events, keys, strict=True)
            for value in _values(data, key, customer_id, recorded_at, db)
        ]
    return Insert(sql, params, keys)


@lru_cache(maxsize=8)
def _plain_insert(rows: int) -> str:
    return f"{_INTO}VALUES {', '.join([_ROW] * rows)}{_RETURNING}"


def _json_insert(
    events: Sequence[JourneyEventData],
    keys: list[str],
    customer_id: int | None,
    now: datetime,
    conditions: Mapping[str, Condition],
) -> tuple[str, list[Any]]:
    recorded_at = _iso(now)
    rows = [
        _json_row(data, key, customer_id, recorded_at)
        for data, key in zip(events, keys, strict=True)
    ]
    params: list[Any] = [json.dumps(rows)]
    cases = []
    for data, key in zip(events, keys, strict=True):
        condition = conditions.get(data.idempotency_key)
        if condition:
            cases.append(f"WHEN %s THEN {condition.sql}")
            params.extend((key, *condition.params))
    where = f" WHERE CASE row.idempotency_key {' '.join(cases)} ELSE TRUE END"
    return f"{_FROM_JSON}{where if cases else ''}{_RETURNING}", params


def _iso(moment: datetime) -> str:
    # An aware time goes as it is; a naive one as Django would store it.
    if moment.tzinfo is None:
        moment = _TIME.get_prep_value(moment)
    return moment.isoformat()


def _json_row(
    data: JourneyEventData, key: str, customer_id: int | None, recorded_at: str
) -> dict[str, Any]:
    source = data.source
    return {
        "idempotency_key": key,
        "type": data.type.value,
        "channel": data.channel,
        "user_id": str(data.user_id or ""),
        "email": normalize_email(data.email),
        "visitor_id": data.visitor_id,
        "occurred_at": _iso(data.occurred_at),
        "recorded_at": recorded_at,
        "touch_channel": data.touch_channel.value,
        "utm_source": source.utm_source[:255],
        "utm_medium": source.utm_medium[:255],
        "utm_campaign": source.utm_campaign[:255],
        "referrer": source.referrer[:1024],
        "search_term": source.search_term[:255],
        "payload": data.payload,
        "customer_id": customer_id,
    }


def _values(
    data: JourneyEventData,
    key: str,
    customer_id: int | None,
    recorded_at: Any,
    db: BaseDatabaseWrapper,
) -> tuple[Any, ...]:
    source = data.source
    return (
        key,
        data.type.value,
        data.channel,
        str(data.user_id or ""),
        normalize_email(data.email),
        data.visitor_id,
        _TIME.get_db_prep_value(data.occurred_at, db),
        recorded_at,
        data.touch_channel.value,
        source.utm_source[:255],
        source.utm_medium[:255],
        source.utm_campaign[:255],
        source.referrer[:1024],
        source.search_term[:255],
        _PAYLOAD.get_db_prep_value(data.payload, db),
        customer_id,
    )
