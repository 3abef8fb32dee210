"""Recording a store's past: batches, time order, progress and a summary.

The host reads its own records and yields plain events (``Host.history``);
this module knows nothing of where they come from. It records them in
batches of ``batch_size``, one transaction a batch, with the same idempotency
keys the live hooks use, so a fact the hooks (or an earlier run) already
logged is counted as "already there" and changes nothing.

Time order. The stage engine is order-sensitive and the processor applies
waiting events oldest first, but an event of 2023 recorded today lands in a
journey that may have applied last week's live order already. After each
batch is applied (``processing.drain``, inline), the journeys where an event
of the batch was applied out of time order are replayed in memory from their
events in time order; those whose stored history differs from the replay are
rebuilt (``advancing.rebuild_journey``). Journeys applied in order are only
read, so a second run writes nothing.

Interruptions. Each batch's recording, each drain step and each rebuild is its
own transaction: Ctrl-C rolls back the one under way and keeps the rest. A
re-run skips what is recorded (its keys are there) and still checks the
order of every event it yields, recorded now or before, so journeys left out
of order by an interrupted run are put right by the next one.
"""

import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from itertools import islice
from typing import Any, TextIO

from django.db import connection, transaction

from ..models import Journey, JourneyEvent, StageTransition
from .advancing import rebuild_journey, replay
from .batch_lock import one_batch_at_a_time
from .events import JourneyEventData
from .processing import MAX_ATTEMPTS, drain
from .recording import record_event, stored_key
from .stage_changes import report_stage_changes

BATCH_SIZE = 500
# Marks a fact recorded from the store's past (in its payload): followers that
# act on the present (the campaigns' reminders) act on it only where its time
# is still to come. A fact the hooks already logged keeps their payload.
FROM_HISTORY = "from_history"
# Journeys checked (and rebuilt) per transaction: each holds the processors'
# batch lock, so live events wait at most for this many replays.
CHECK_CHUNK = 100

_EVENTS = JourneyEvent._meta.db_table
_JOURNEYS = Journey._meta.db_table

# Journeys holding an event of the batch that was applied out of time order:
# another event of the same journey (its channel, or customer-wide) applied
# before it though it happened after it, or the other way round.
_OUT_OF_ORDER = f"""
SELECT DISTINCT j.id
FROM {_EVENTS} e
JOIN {_JOURNEYS} j
  ON j.customer_id = e.customer_id AND (e.channel = '' OR j.channel = e.channel)
JOIN {_EVENTS} x
  ON x.customer_id = j.customer_id AND (x.channel = '' OR x.channel = j.channel)
WHERE e.id IN ({{ids}})
  AND e.processed_at IS NOT NULL AND x.processed_at IS NOT NULL
  AND (
    (x.processed_at < e.processed_at AND (x.occurred_at > e.occurred_at
      OR (x.occurred_at = e.occurred_at AND x.id > e.id)))
    OR (x.processed_at > e.processed_at AND (x.occurred_at < e.occurred_at
      OR (x.occurred_at = e.occurred_at AND x.id < e.id)))
  )
ORDER BY j.id
"""


@dataclass
class Summary:
    """What a run did; ``lines()`` is what the command prints."""

    new: Counter[str] = field(default_factory=Counter)
    existing: Counter[str] = field(default_factory=Counter)
    journeys_checked: int = 0
    journeys_rebuilt: int = 0
    applied: int = 0
    waiting: int = 0
    seconds: float = 0.0
    interrupted: bool = False

    @property
    def events(self) -> int:
        return sum(self.new.values()) + sum(self.existing.values())

    def lines(self) -> list[str]:
        rate = self.events / self.seconds if self.seconds else 0.0
        head = "Backfill interrupted" if self.interrupted else "Backfill finished"
        lines = [
            f"{head} after {timedelta(seconds=round(self.seconds))} "
            f"({self.events} events, {rate:,.0f} events/s)."
        ]
        types = sorted(set(self.new) | set(self.existing))
        width = max([len("event type"), *map(len, types)])
        lines.append(f"  {'event type':<{width}}  {'new':>8}  {'already there':>13}")
        for name in types:
            lines.append(
                f"  {name:<{width}}  {self.new[name]:>8}  {self.existing[name]:>13}"
            )
        lines.append(
            f"  {'total':<{width}}  {sum(self.new.values()):>8}  "
            f"{sum(self.existing.values()):>13}"
        )
        lines.append(
            f"Journeys rebuilt in time order: {self.journeys_rebuilt} "
            f"(of {self.journeys_checked} checked)."
        )
        if self.waiting:
            lines.append(
                f"{self.waiting} events could not be applied yet; the periodic task "
                "retries them (see journey_event.last_error). Run the backfill "
                "again afterwards to check their order."
            )
        if self.interrupted:
            lines.append(
                "What was recorded is kept; run the command again to continue."
            )
        return lines


class Progress:
    """Counts and ETA: a tqdm bar on a terminal, plain lines anywhere else.

    tqdm is optional (Saleor does not ship it): without it a terminal gets
    the plain lines too.
    """

    def __init__(
        self,
        total: int | None,
        stream: TextIO | None = None,
        *,
        every: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
        bar: bool | None = None,
    ) -> None:
        self.stream = stream if stream is not None else sys.stdout
        self.total = total or None
        self.every = every
        self.clock = clock
        self.started = clock()
        self.last_line = -every
        self.done = 0
        use_bar = _is_tty(self.stream) if bar is None else bar
        self.bar = _tqdm_bar(self.total, self.stream) if use_bar else None

    def update(self, count: int, summary: Summary) -> None:
        self.done += count
        new, existing = sum(summary.new.values()), sum(summary.existing.values())
        if self.bar is not None:
            self.bar.set_postfix(new=new, already=existing, refresh=False)
            self.bar.update(count)
            return
        now = self.clock()
        if now - self.last_line < self.every:
            return
        self.last_line = now
        self.stream.write(self._line(now, new, existing) + "\n")
        self.stream.flush()

    def _line(self, now: float, new: int, existing: int) -> str:
        elapsed = now - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        line = f"backfill: {self.done}"
        if self.total:
            line += f"/~{self.total} events ({min(self.done / self.total, 1):.0%})"
        else:
            line += " events"
        line += f", {new} new, {existing} already there, {rate:,.0f} events/s"
        if self.total and rate and self.done < self.total:
            eta = timedelta(seconds=round((self.total - self.done) / rate))
            line += f", ETA {eta}"
        return line

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _is_tty(stream: Any) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _tqdm_bar(total: int | None, stream: TextIO) -> Any:
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit="event", file=stream, dynamic_ncols=True)


def backfill(
    events: Iterable[JourneyEventData],
    *,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Summary:
    """Record ``events`` (read lazily, ``batch_size`` at a time) and apply them."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    summary = Summary()
    started = clock()
    iterator: Iterator[JourneyEventData] = iter(events)
    try:
        while batch := list(islice(iterator, batch_size)):
            ids = _record(batch, summary)
            summary.applied += drain()
            _put_in_time_order(ids, summary)
            if progress is not None:
                progress.update(len(batch), summary)
    except KeyboardInterrupt:
        # The transaction under way rolled back; everything before it stays.
        summary.interrupted = True
    finally:
        summary.seconds = clock() - started
        if progress is not None:
            progress.close()
    if not summary.interrupted:
        summary.waiting = _still_waiting()
    return summary


def _record(batch: Sequence[JourneyEventData], summary: Summary) -> list[int]:
    """Record a batch in one transaction; return the ids of all its events."""
    with transaction.atomic():
        for data in batch:
            marked = replace(data, payload={**data.payload, FROM_HISTORY: True})
            if record_event(marked) is None:
                summary.existing[data.type.value] += 1
            else:
                summary.new[data.type.value] += 1
        digests = list({stored_key(data.idempotency_key) for data in batch})
        return list(
            JourneyEvent.objects.filter(idempotency_key__in=digests).values_list(
                "pk", flat=True
            )
        )


def _put_in_time_order(event_ids: list[int], summary: Summary) -> None:
    if not event_ids:
        return
    query = _OUT_OF_ORDER.format(ids=", ".join(["%s"] * len(event_ids)))
    with connection.cursor() as cursor:
        cursor.execute(query, event_ids)
        journey_ids = [row[0] for row in cursor.fetchall()]
    for start in range(0, len(journey_ids), CHECK_CHUNK):
        chunk = journey_ids[start : start + CHECK_CHUNK]
        summary.journeys_checked += len(chunk)
        summary.journeys_rebuilt += rebuild_out_of_order(chunk)


def rebuild_out_of_order(journey_ids: Sequence[int]) -> int:
    """Rebuild those of these journeys that differ from a time-ordered replay.

    Runs under the processors' batch lock, so no event is applied to them
    meanwhile. Returns how many were rebuilt.
    """
    rebuilt: list[Journey] = []
    with transaction.atomic():
        one_batch_at_a_time()
        journeys = list(
            Journey.objects.select_for_update()
            .filter(pk__in=journey_ids)
            .order_by("pk")
        )
        events = _events_of(journeys)
        transitions = _transitions_of(journeys)
        for journey in journeys:
            mine = events.get((journey.customer_id, journey.channel), [])
            if _replay(journey, mine) != _stored(journey, mine, transitions):
                rebuild_journey(journey)
                rebuilt.append(journey)
        # The store's own tags (Saleor's user metadata) follow the rebuilt stages.
        transaction.on_commit(lambda: report_stage_changes(rebuilt))
    return len(rebuilt)


def _events_of(journeys: list[Journey]) -> dict[tuple[int, str], list[JourneyEvent]]:
    """Each journey's processed events (its channel's and customer-wide), in order."""
    channels: dict[int, set[str]] = {}
    for journey in journeys:
        channels.setdefault(journey.customer_id, set()).add(journey.channel)
    found: dict[tuple[int, str], list[JourneyEvent]] = {}
    rows = JourneyEvent.objects.filter(
        customer_id__in=list(channels), processed_at__isnull=False
    ).order_by("occurred_at", "id")
    for event in rows:
        customer_id = event.customer_id or 0
        targets = channels[customer_id] if not event.channel else {event.channel}
        for channel in targets & channels[customer_id]:
            found.setdefault((customer_id, channel), []).append(event)
    return found


def _transitions_of(journeys: list[Journey]) -> dict[int, list[tuple]]:
    found: dict[int, list[tuple]] = {}
    rows = StageTransition.objects.filter(journey__in=journeys).order_by(
        "occurred_at", "id"
    )
    for t in rows:
        found.setdefault(t.journey_id, []).append(
            (t.event_id, t.from_stage, t.to_stage, t.occurred_at, t.win_back)
        )
    return found


def _replay(journey: Journey, events: list[JourneyEvent]) -> tuple:
    """The journey's fields, transitions and event stages if applied in order."""
    fresh = Journey(
        pk=journey.pk, customer_id=journey.customer_id, channel=journey.channel
    )
    result = replay(fresh, events)
    transitions = [
        (t.event_id, t.from_stage, t.to_stage, t.occurred_at, t.win_back)
        for t in result.transitions
    ]
    stages = [(event.pk, stage) for event, stage in result.stages]
    return (_fields(fresh), transitions, stages)


def _stored(
    journey: Journey, events: list[JourneyEvent], transitions: dict[int, list[tuple]]
) -> tuple:
    stages = [(event.pk, event.stage) for event in events if event.channel]
    return (_fields(journey), transitions.get(journey.pk, []), stages)


def _fields(journey: Journey) -> tuple:
    return (
        journey.stage or None,
        journey.stage_entered_at,
        journey.paid_orders,
        journey.lapse_clock_from,
    )


def _still_waiting() -> int:
    return JourneyEvent.objects.filter(
        processed_at__isnull=True, attempts__lt=MAX_ATTEMPTS
    ).count()
