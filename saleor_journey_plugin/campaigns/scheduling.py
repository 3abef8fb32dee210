"""Scheduling campaign steps as the drain applies their trigger events.

A follower of the applied events (``core/followers.py``): each trigger inserts
one row per step, keyed by (channel, kind, subject, step), so a redelivered or
replayed trigger schedules nothing twice. A later checkout change moves the
steps of that checkout not sent yet: they count from its last change.

A trigger read from the store's past (``journey_backfill``, the App's backfill)
schedules only the steps still to come: a reminder whose time had passed
before the store learned of it would be about last month's cart, or one the
plugin sent already when a store moves to the App. So does a trigger folded
again by a rewrite (a visitor's views becoming the account's at sign-in, a
guest merged, a journey rebuilt): views from minutes ago still make their
email, views from last spring make none. A live hook telling late (a drain
that was down) still gets every step.
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from django.db import connection
from django.utils import timezone

from ..core.backfill import FROM_HISTORY
from ..core.followers import is_refold
from ..core.host import get_host
from ..models import JourneyEvent
from . import settings as campaign_settings
from .kinds import CampaignKind, trigger_types, triggered_by
from .models import CampaignMessage, MessageStatus
from .settings import CampaignSettings

_TABLE = CampaignMessage._meta.db_table
_COLUMNS = (
    "channel",
    "kind",
    "subject",
    "step",
    "status",
    "triggered_at",
    "due_at",
    "attempts",
    "last_error",
    "customer_id",
    "email",
    "coupon_code",
    "created_at",
)
_ROW = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
_INSERT = f"INSERT INTO {_TABLE} ({', '.join(_COLUMNS)}) VALUES "
_KEEP = " ON CONFLICT (channel, kind, subject, step) DO NOTHING"
_PUSH = (
    " ON CONFLICT (channel, kind, subject, step) DO UPDATE SET "
    "triggered_at = EXCLUDED.triggered_at, due_at = EXCLUDED.due_at "
    f"WHERE {_TABLE}.status = '{MessageStatus.SCHEDULED.value}' "
    f"AND EXCLUDED.triggered_at > {_TABLE}.triggered_at"
)


class Scheduler:
    def fold(self, event_ids: Sequence[int], sign: int) -> None:
        # A rewrite unfolds its events (sign -1): scheduled steps stay.
        if sign != 1:
            return
        refold = is_refold(event_ids)
        events = list(
            JourneyEvent.objects.filter(
                pk__in=list(event_ids),
                type__in=trigger_types(),
                customer__isnull=False,
            ).only(
                "pk",
                "type",
                "channel",
                "occurred_at",
                "customer_id",
                "email",
                "payload",
            )
        )
        settings: dict[str, CampaignSettings | None] = {}
        on: dict[CampaignKind, list[JourneyEvent]] = defaultdict(list)
        for event in events:
            if event.channel not in settings:
                found = get_host().channel_settings(event.channel)
                settings[event.channel] = campaign_settings.of(found) if found else None
            campaigns = settings[event.channel]
            for kind in triggered_by(event.type):
                if campaigns is not None and kind in campaigns.enabled:
                    on[kind].append(event)
        rows: dict[bool, list[tuple[Any, ...]]] = {True: [], False: []}
        now = timezone.now()
        for kind, triggered in on.items():
            subjects = kind.subjects(triggered)
            for event in triggered:
                subject = subjects.get(event.pk)
                if not subject:
                    continue
                past = refold or (event.payload or {}).get(FROM_HISTORY) is True
                steps = cast(CampaignSettings, settings[event.channel]).steps[kind]
                for number, step in enumerate(steps, start=1):
                    due_at = event.occurred_at + step.delay
                    if past and due_at <= now:
                        continue
                    rows[kind.reschedules].append(
                        _row(event, kind, subject, number, due_at)
                    )
        for pushes, batch in rows.items():
            if batch:
                _insert(batch, _PUSH if pushes else _KEEP)


def _row(
    event: JourneyEvent, kind: CampaignKind, subject: str, step: int, due_at: datetime
) -> tuple[Any, ...]:
    return (
        event.channel,
        kind.value,
        subject,
        step,
        MessageStatus.SCHEDULED.value,
        event.occurred_at,
        due_at,
        0,
        "",
        event.customer_id,
        event.email,
        "",
        timezone.now(),
    )


def _insert(rows: list[tuple[Any, ...]], conflict: str) -> None:
    # One checkout's events in one batch: the latest change wins (a statement
    # cannot touch a row twice with ON CONFLICT DO UPDATE).
    latest: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for row in rows:
        key = row[:4]
        if key not in latest or row[5] > latest[key][5]:
            latest[key] = row
    values = [value for row in latest.values() for value in row]
    sql = _INSERT + ", ".join([_ROW] * len(latest)) + conflict
    with connection.cursor() as cursor:
        cursor.execute(sql, values)


SCHEDULER = Scheduler()


def connect() -> None:
    """Schedule steps and credit orders from applied events; erasures, guest
    merges and exports reach the messages and unsubscribes; the report registers."""
    from ..core import erasure, export, followers, identity
    from . import privacy, report  # noqa: F401 (registers the "campaigns" report)
    from .attribution import ATTRIBUTOR

    followers.follow(SCHEDULER)
    followers.follow(ATTRIBUTOR)
    erasure.on_erase(privacy.erase)
    identity.on_merge(privacy.merge)
    export.on_export("campaigns", privacy.export)
