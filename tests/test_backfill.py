"""The backfill's core: batches, idempotency, time order, progress, interruption."""

import io
from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import CommandError, call_command

from example_store.host import ExampleStoreHost
from saleor_journey_plugin.core import backfill as core_backfill
from saleor_journey_plugin.core.backfill import Progress, Summary, backfill
from saleor_journey_plugin.core.events import EventType, JourneyEventData
from saleor_journey_plugin.core.processing import process_event
from saleor_journey_plugin.core.recording import record_event
from saleor_journey_plugin.models import Journey, JourneyEvent, StageTransition

from .conftest import CHANNEL, T0


def _event(event_type, key, user, days, channel=CHANNEL, **payload):
    return JourneyEventData(
        type=event_type,
        idempotency_key=key,
        occurred_at=T0 + timedelta(days=days),
        channel=channel,
        user_id=user,
        email=f"{user}@example.com",
        payload=payload,
    )


def _order(user, name, days, paid=True, fulfilled_after=None):
    events = [_event(EventType.ORDER_PLACED, f"order:{name}:placed", user, days)]
    if paid:
        # Paid a minute after it was placed, as Saleor's records show it.
        events.append(
            _event(EventType.ORDER_PAID, f"order:{name}:paid", user, days + 1 / 1440)
        )
    if fulfilled_after is not None:
        events.append(
            _event(
                EventType.ORDER_FULFILLED,
                f"order:{name}:fulfilled",
                user,
                days + fulfilled_after,
            )
        )
    return events


def _account(user, days):
    return _event(EventType.ACCOUNT_CREATED, f"user:{user}:created", user, days, "")


def _history_of(user):
    """A customer's journey as a reader sees it: fields, transitions, event stages."""
    journey = Journey.objects.get(customer__user_id=user, channel=CHANNEL)
    transitions = list(
        StageTransition.objects.filter(journey=journey)
        .order_by("occurred_at", "id")
        .values_list("from_stage", "to_stage", "event__type", "occurred_at", "win_back")
    )
    stages = list(
        JourneyEvent.objects.filter(customer=journey.customer, channel=CHANNEL)
        .order_by("occurred_at", "id")
        .values_list("type", "occurred_at", "stage")
    )
    return (
        journey.stage,
        journey.stage_entered_at,
        journey.paid_orders,
        journey.lapse_clock_from,
        transitions,
        stages,
    )


def _store(prefix):
    """A small store's history: accounts, orders, a fulfilment, a cancellation."""
    return [
        _account(f"{prefix}1", 0),
        _account(f"{prefix}2", 1),
        *_order(f"{prefix}1", f"{prefix}a", 2, fulfilled_after=3),
        *_order(f"{prefix}2", f"{prefix}b", 4, paid=False),
        _event(
            EventType.ORDER_CANCELLED, f"order:{prefix}b:cancelled", f"{prefix}2", 5
        ),
        *_order(f"{prefix}1", f"{prefix}c", 9),
    ]


def test_backfill_records_applies_and_counts_each_type(db):
    summary = backfill(_store("u"), batch_size=3)

    assert not summary.interrupted
    assert dict(summary.new) == {
        "ACCOUNT_CREATED": 2,
        "ORDER_PLACED": 3,
        "ORDER_PAID": 2,
        "ORDER_FULFILLED": 1,
        "ORDER_CANCELLED": 1,
    }
    assert sum(summary.existing.values()) == 0
    assert summary.waiting == 0
    assert not JourneyEvent.objects.filter(processed_at__isnull=True).exists()
    stage, _, paid, _, transitions, _ = _history_of("u1")
    assert (stage, paid) == ("LOYALTY", 2)
    assert [t[:3] for t in transitions] == [
        (None, "AWARENESS", "ACCOUNT_CREATED"),
        ("AWARENESS", "PURCHASE", "ORDER_PLACED"),
        ("PURCHASE", "RETENTION", "ORDER_FULFILLED"),
        ("RETENTION", "LOYALTY", "ORDER_PAID"),
    ]
    assert _history_of("u2")[0] == "PURCHASE"


def test_a_second_run_records_and_rewrites_nothing(db):
    backfill(_store("u"), batch_size=4)
    before = _history_of("u1"), _history_of("u2")
    transition_ids = set(StageTransition.objects.values_list("pk", flat=True))

    summary = backfill(_store("u"), batch_size=4)

    assert sum(summary.new.values()) == 0
    assert summary.existing["ORDER_PLACED"] == 3
    assert summary.events == len(_store("u"))
    assert summary.journeys_rebuilt == 0
    assert (_history_of("u1"), _history_of("u2")) == before
    assert set(StageTransition.objects.values_list("pk", flat=True)) == transition_ids


def test_facts_the_hooks_recorded_count_as_already_there(store):
    # given the live hooks logged the first order (placed and paid) already
    for data in _order("u1", "ua", 2):
        process_event(record_event(data))

    # when the backfill reads the whole history
    summary = backfill(_store("u"))

    # then those two facts are "already there", once each
    assert summary.existing == {"ORDER_PLACED": 1, "ORDER_PAID": 1}
    assert JourneyEvent.objects.count() == len(_store("u"))


def test_an_older_order_backfilled_after_a_live_one_gives_the_in_order_journey(db):
    # given customer "late": a live order (today) processed before the backfill
    live = _order("late", "late-live", 30, fulfilled_after=1)
    for data in live:
        process_event(record_event(data))
    assert _history_of("late")[0] == "RETENTION"
    # and customer "ordered": the same facts arriving in time order
    past = [_account("ordered", 0), *_order("ordered", "ordered-old", 5)]
    for data in sorted(
        [*past, *_order("ordered", "ordered-live", 30, fulfilled_after=1)],
        key=lambda e: e.occurred_at,
    ):
        process_event(record_event(data))

    # when the backfill brings the late customer's older account and order
    summary = backfill([_account("late", 0), *_order("late", "late-old", 5)])

    # then the journey is rebuilt into the one the in-order customer has
    assert summary.journeys_rebuilt == 1
    late, ordered = _history_of("late"), _history_of("ordered")
    assert late == ordered
    stage, _, paid, _, transitions, _ = late
    assert (stage, paid) == ("LOYALTY", 2)
    assert [t[:3] for t in transitions] == [
        (None, "AWARENESS", "ACCOUNT_CREATED"),
        ("AWARENESS", "PURCHASE", "ORDER_PLACED"),
        ("PURCHASE", "LOYALTY", "ORDER_PAID"),
    ]

    # and a second run finds it in order and leaves it alone
    again = backfill([_account("late", 0), *_order("late", "late-old", 5)])
    assert (again.journeys_checked, again.journeys_rebuilt) >= (0, 0)
    assert again.journeys_rebuilt == 0
    assert _history_of("late") == ordered


def test_batches_out_of_time_order_are_put_in_order(db):
    # given a history whose source yields newer facts first, one a batch
    events = list(reversed(_store("u")))

    # when it is backfilled a batch of one at a time (each applied at once)
    summary = backfill(events, batch_size=1)

    # then the journeys equal those of an in-order run
    rebuilt = _history_of("u1"), _history_of("u2")
    assert summary.journeys_rebuilt >= 1
    JourneyEvent.objects.all().delete()
    Journey.objects.all().delete()
    backfill(_store("u"), batch_size=100)
    assert (_history_of("u1"), _history_of("u2")) == rebuilt


def test_each_batch_is_one_transaction_and_read_lazily(db):
    # given a source that checks, as each event is read, what is recorded
    batch_size = 3
    events = _store("u")
    seen_recorded = []

    def source():
        for index, data in enumerate(events):
            seen_recorded.append(JourneyEvent.objects.count())
            yield data
            # nothing is read ahead of the batch being recorded
            assert index < batch_size * (len(seen_recorded) // batch_size + 1)

    # when it is backfilled
    with mock.patch.object(
        core_backfill, "transaction", wraps=core_backfill.transaction
    ) as transaction:
        backfill(source(), batch_size=batch_size)

    # then the events of batch n were recorded (and applied) before batch n+1
    # was read, and each batch was recorded in one transaction
    assert seen_recorded == [
        (index // batch_size) * batch_size for index in range(len(events))
    ]
    batches = -(-len(events) // batch_size)
    assert transaction.atomic.call_count == batches


def test_a_large_source_is_streamed_not_loaded(db):
    # given a long generator that counts how far it has been read
    read = 0

    def source():
        nonlocal read
        for n in range(5000):
            read += 1
            yield _account(f"s{n}", n / 1000)

    batches = []

    class Spy(Progress):
        def update(self, count, summary):
            batches.append((count, read))
            super().update(count, summary)

    # when it is backfilled in batches of 500
    backfill(source(), batch_size=500, progress=Spy(None, io.StringIO(), bar=False))

    # then it was never read more than a batch ahead of what was recorded
    assert len(batches) == 10
    assert all(
        read_so_far == 500 * (i + 1) for i, (_, read_so_far) in enumerate(batches)
    )
    assert JourneyEvent.objects.count() == 5000


def test_ctrl_c_keeps_whole_batches_and_a_rerun_continues(db):
    events = _store("u")

    def interrupted():
        yield from events[:5]
        raise KeyboardInterrupt

    # when the run is stopped while reading the second batch of three
    first = backfill(interrupted(), batch_size=3)

    # then the first batch is recorded and applied, nothing of the second
    assert first.interrupted
    assert sum(first.new.values()) == 3
    assert JourneyEvent.objects.count() == 3
    assert not JourneyEvent.objects.filter(processed_at__isnull=True).exists()
    assert any("run the command again" in line for line in first.lines())

    # when it is stopped in the middle of recording a batch
    calls = 0
    real_record = core_backfill.record_event

    def record_then_stop(data):
        nonlocal calls
        calls += 1
        if calls == 2:
            raise KeyboardInterrupt
        return real_record(data)

    with mock.patch.object(core_backfill, "record_event", record_then_stop):
        second = backfill(events, batch_size=3)

    # then that batch's transaction rolled back whole
    assert second.interrupted
    assert JourneyEvent.objects.count() == 3

    # and a re-run records the rest once and ends where an unbroken run would
    third = backfill(events, batch_size=3)
    assert not third.interrupted
    assert sum(third.existing.values()) == 3
    assert sum(third.new.values()) == len(events) - 3
    result = _history_of("u1"), _history_of("u2")
    JourneyEvent.objects.all().delete()
    Journey.objects.all().delete()
    backfill(_store("u"))
    assert (_history_of("u1"), _history_of("u2")) == result


def test_a_rerun_repairs_order_an_interrupted_run_left_unchecked(db):
    # given a live order processed, then a run stopped after applying an older
    # order but before checking the order of its journey
    for data in _order("u1", "live", 30):
        process_event(record_event(data))
    old = [_account("u1", 0), *_order("u1", "old", 5)]
    with mock.patch.object(
        core_backfill, "_put_in_time_order", side_effect=KeyboardInterrupt
    ):
        stopped = backfill(old)
    assert stopped.interrupted
    wrong = _history_of("u1")

    # when the backfill runs again (every fact already there)
    again = backfill(old)

    # then it finds the journey out of order and rebuilds it
    assert sum(again.new.values()) == 0
    assert again.journeys_rebuilt == 1
    fixed = _history_of("u1")
    assert fixed != wrong
    assert [t[:3] for t in fixed[4]] == [
        (None, "AWARENESS", "ACCOUNT_CREATED"),
        ("AWARENESS", "PURCHASE", "ORDER_PLACED"),
        ("PURCHASE", "LOYALTY", "ORDER_PAID"),
    ]


def test_summary_lists_new_and_existing_per_type():
    summary = Summary(seconds=2.0, journeys_checked=3, journeys_rebuilt=1)
    summary.new.update({"ORDER_PLACED": 10, "ACCOUNT_CREATED": 4})
    summary.existing.update({"ORDER_PLACED": 2})

    lines = summary.lines()

    assert lines[0] == "Backfill finished after 0:00:02 (16 events, 8 events/s)."
    assert lines[1].split() == ["event", "type", "new", "already", "there"]
    assert lines[2].split() == ["ACCOUNT_CREATED", "4", "0"]
    assert lines[3].split() == ["ORDER_PLACED", "10", "2"]
    assert lines[4].split() == ["total", "14", "2"]
    assert lines[5] == "Journeys rebuilt in time order: 1 (of 3 checked)."


def test_progress_prints_plain_lines_off_a_terminal():
    out = io.StringIO()
    clock = iter([0.0, 5.0, 6.0, 20.0]).__next__
    progress = Progress(1000, out, every=10.0, clock=clock)
    summary = Summary()
    summary.new["ORDER_PLACED"] = 500

    progress.update(500, summary)  # t=5: the first line
    progress.update(100, summary)  # t=6: too soon for another
    summary.existing["ORDER_PLACED"] = 300
    progress.update(300, summary)  # t=20
    progress.close()

    assert out.getvalue().splitlines() == [
        "backfill: 500/~1000 events (50%), 500 new, 0 already there, "
        "100 events/s, ETA 0:00:05",
        "backfill: 900/~1000 events (90%), 500 new, 300 already there, "
        "45 events/s, ETA 0:00:02",
    ]


def test_progress_draws_a_tqdm_bar_on_a_terminal():
    pytest.importorskip("tqdm")

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    out = Terminal()
    progress = Progress(10, out)
    summary = Summary()
    summary.new["VISIT"] = 4
    progress.update(4, summary)
    progress.close()

    assert progress.bar is not None
    assert "4/10" in out.getvalue()
    assert "new=4" in out.getvalue()


def test_without_tqdm_a_terminal_gets_plain_lines():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    out = Terminal()
    with mock.patch.dict("sys.modules", {"tqdm": None}):
        progress = Progress(10, out)
    progress.update(4, Summary())

    assert progress.bar is None
    assert out.getvalue().startswith("backfill: 4/~10 events (40%)")


def test_the_example_store_says_it_has_no_history(db):
    with pytest.raises(CommandError, match="ExampleStoreHost has no store history"):
        call_command("journey_backfill", stdout=io.StringIO())


def test_the_command_refuses_a_channel_without_the_journey(db):
    with pytest.raises(CommandError, match="not enabled in channel 'nowhere'"):
        call_command("journey_backfill", channel="nowhere", stdout=io.StringIO())


def test_the_command_refuses_a_bad_date(db):
    with pytest.raises(CommandError, match="not a date"):
        call_command("journey_backfill", since="last week", stdout=io.StringIO())


def test_the_command_backfills_a_host_history_and_prints_the_summary(db):
    asked = []

    def history(self, channel, since):
        asked.append((channel, since))
        return iter(_store("u"))

    out = io.StringIO()
    with mock.patch.object(ExampleStoreHost, "history", history, create=True):
        call_command(
            "journey_backfill",
            channel=CHANNEL,
            since="2026-03-01",
            batch_size=4,
            stdout=out,
        )

    assert asked == [(CHANNEL, T0.replace(hour=0))]
    text = out.getvalue()
    assert "Backfill finished" in text
    assert "ORDER_PLACED" in text
    assert "Journeys rebuilt in time order: 0" in text
    assert _history_of("u1")[0] == "LOYALTY"
