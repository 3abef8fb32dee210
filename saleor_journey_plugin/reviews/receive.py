"""Receiving one review webhook delivery: checked, then stored once, in one transaction.

Adapters hand over the channel, the headers and the raw body and send back the
:class:`Answer`; nothing here knows about HTTP requests.

A review is kept per (channel, ``review_id``). Its first version records a
``REVIEW_SUBMITTED`` journey event; a later version replaces the stored fields
and, when its rating differs, records a ``REVIEW_EDITED`` event. Versions are
ordered by the service's ``created_at``: one older than the stored version is
stale and changes nothing; one with the same content as the stored version is
a redelivery and changes nothing either; otherwise (newer, the same time, or no
time given) it is an edit, applied in the order deliveries arrive.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from django.db import connection, models, transaction
from django.utils import timezone

from ..core.events import EventType, JourneyEventData, TouchChannel
from ..core.host import get_host
from ..service import record_and_wake
from .models import Review, ReviewDelivery
from .payload import BodyTooLarge, PayloadError, ReviewData, check_size, parse
from .signature import SignatureError, verify


@dataclass(frozen=True)
class Answer:
    status: int
    content: dict[str, Any] = field(default_factory=dict)


def receive(
    channel: str,
    headers: Mapping[str, str],
    body: bytes,
    now: datetime | None = None,
) -> Answer:
    """Check a delivery and store its review; the answer to send back.

    401: unsigned, badly signed or out of time; 413: too large; 400: not a
    review (the error names the field); 404: the journey is off in the
    channel; 200 otherwise, with a status: ``created``, ``updated``,
    ``unchanged``, ``stale`` or ``duplicate`` (a ``webhook-id`` seen before).
    Nothing is stored unless the answer is 200.
    """
    now = now or timezone.now()
    settings = get_host().channel_settings(channel)
    if settings is None:
        return Answer(404, {"error": f"Reviews are not received in channel {channel}."})
    try:
        # Before the HMAC: a huge body is refused without hashing it.
        check_size(len(body))
        delivery = verify(
            headers, body, settings.review_webhook_secrets, now.timestamp()
        )
        review = parse(body, now)
    except BodyTooLarge as error:
        return Answer(413, {"error": str(error)})
    except SignatureError as error:
        return Answer(401, {"error": error.reason})
    except PayloadError as error:
        return Answer(400, {"error": error.message, "field": error.field})
    with transaction.atomic():
        if not _first_delivery(channel, delivery.webhook_id, now):
            return Answer(200, {"status": "duplicate"})
        return _store(channel, review, now)


def _first_delivery(channel: str, webhook_id: str, now: datetime) -> bool:
    return (
        _insert_unless_present(
            ReviewDelivery,
            {"channel": channel, "webhook_id": webhook_id, "received_at": now},
            conflict=("channel", "webhook_id"),
        )
        is not None
    )


def _store(channel: str, data: ReviewData, now: datetime) -> Answer:
    review = _locked(channel, data.review_id)
    if review is None:
        purchased = _purchased(channel, data)
        verified = purchased is not None
        created_at = data.created_at or now
        inserted = _insert_unless_present(
            Review,
            {
                **_fields(data),
                "channel": channel,
                "review_id": data.review_id,
                "verified": verified,
                "created_at": created_at,
                "received_at": now,
                "updated_at": now,
                "version": 1,
            },
            conflict=("channel", "review_id"),
        )
        if inserted is not None:
            _record(
                EventType.REVIEW_SUBMITTED,
                f"review:{channel}:{data.review_id}",
                created_at,
                channel,
                data,
                purchased,
            )
            return _answer("created", data.review_id, 1, verified)
        # Another delivery of this review got there first and has committed.
        review = _locked(channel, data.review_id)
        assert review is not None
    return _edit(review, data, now)


def _edit(review: Review, data: ReviewData, now: datetime) -> Answer:
    if data.created_at is not None and data.created_at < review.created_at:
        return _answer("stale", review.review_id, review.version, review.verified)
    if data.content() == _content(review):
        return _answer("unchanged", review.review_id, review.version, review.verified)
    previous_rating = review.rating
    for name, value in _fields(data).items():
        setattr(review, name, value)
    purchased = _purchased(review.channel, data)
    review.verified = purchased is not None
    review.created_at = data.created_at or review.created_at
    review.updated_at = now
    review.version += 1
    review.save()
    if review.rating != previous_rating:
        _record(
            EventType.REVIEW_EDITED,
            f"review:{review.channel}:{review.review_id}:v{review.version}",
            now,
            review.channel,
            data,
            purchased,
            previous_rating=previous_rating,
        )
    return _answer("updated", review.review_id, review.version, review.verified)


def _locked(channel: str, review_id: str) -> Review | None:
    return (
        Review.objects.select_for_update()
        .filter(channel=channel, review_id=review_id)
        .first()
    )


def _fields(data: ReviewData) -> dict[str, Any]:
    return {
        "email": data.email,
        "rating": data.rating,
        "title": data.title,
        "body": data.body,
        "product": data.product,
        "order": data.order,
        "photos": data.photos,
    }


def _content(review: Review) -> tuple[Any, ...]:
    return (
        review.rating,
        review.email,
        review.title,
        review.body,
        review.product,
        review.order,
        review.photos,
    )


def _purchased(channel: str, data: ReviewData) -> str | None:
    """The store's id of the product reviewed, when the reviewer paid for it
    (in the order the review names, if it names one): a verified purchase.
    A review naming only an order says nothing the reviewer could be paid for."""
    if not data.product:
        return None
    return get_host().purchased_product(channel, data.email, data.product, data.order)


def _record(
    event_type: EventType,
    key: str,
    occurred_at: datetime,
    channel: str,
    data: ReviewData,
    purchased: str | None,
    **extra: Any,
) -> None:
    record_and_wake(
        JourneyEventData(
            type=event_type,
            idempotency_key=key,
            occurred_at=occurred_at,
            channel=channel,
            # The reviewer's email: the journey's identity rules find their
            # customer (the account with that email, else the guest).
            email=data.email,
            touch_channel=TouchChannel.API,
            payload={
                "review_id": data.review_id,
                "rating": data.rating,
                "verified": purchased is not None,
                # Every name of one product resolves to this id: loyalty
                # rewards the review once per customer and product by it.
                "purchased_product": purchased or "",
                "product": data.product,
                "order": data.order,
                "photos": data.photos,
                **extra,
            },
        )
    )


def _answer(status: str, review_id: str, version: int, verified: bool) -> Answer:
    return Answer(
        200,
        {
            "status": status,
            "review_id": review_id,
            "version": version,
            "verified": verified,
        },
    )


def _insert_unless_present(
    model: type[models.Model], values: dict[str, Any], conflict: tuple[str, ...]
) -> int | None:
    """INSERT one row; its id, or None when the unique ``conflict`` columns
    already name a row (a concurrent insert waits for the other to commit)."""
    meta = model._meta
    fields = [cast(models.Field, meta.get_field(name)) for name in values]
    columns = [_column(f) for f in fields]
    params = [f.get_db_prep_save(values[f.name], connection) for f in fields]
    conflict_columns = ", ".join(
        _column(cast(models.Field, meta.get_field(name))) for name in conflict
    )
    sql = (
        f"INSERT INTO {connection.ops.quote_name(meta.db_table)} "
        f"({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({conflict_columns}) DO NOTHING RETURNING id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0] if row else None


def _column(model_field: models.Field) -> str:
    # Set on every concrete field once its model is ready.
    return connection.ops.quote_name(cast(str, model_field.column))
