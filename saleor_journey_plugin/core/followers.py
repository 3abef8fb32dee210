"""Figures kept from the event log, told whenever the log's applied part changes.

A follower (the reports' rollups) folds applied events into what it keeps.
Most events are folded once, when the drain applies them. A few operations
rewrite events already applied (a guest merged into an account, a journey
rebuilt, an erasure): they run inside ``rewriting(events)``, which unfolds those
events first and folds them again, as they then are, when the outermost
rewrite ends. Everything happens in the caller's transaction, so a follower
never disagrees with the events.
"""

import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Protocol

from django.db.models import QuerySet

from ..models import JourneyEvent


class Follower(Protocol):
    def fold(self, event_ids: Sequence[int], sign: int) -> None:
        """Add (sign 1) or take back (sign -1) these applied events."""


_FOLLOWERS: list[Follower] = []
_state = threading.local()


def follow(follower: Follower) -> None:
    if follower not in _FOLLOWERS:
        _FOLLOWERS.append(follower)


def unfollow(follower: Follower) -> None:
    if follower in _FOLLOWERS:
        _FOLLOWERS.remove(follower)


def applied(event_ids: Iterable[int]) -> None:
    """Events just stamped processed."""
    ids = sorted(set(event_ids) - _unfolded())
    _fold(ids, 1)


@contextmanager
def rewriting(events: QuerySet[JourneyEvent]) -> Iterator[None]:
    """Unfold the applied ones of these events for a rewrite of them."""
    outermost = not hasattr(_state, "unfolded")
    if outermost:
        _state.unfolded = set()
    try:
        if _FOLLOWERS:
            folded = events.filter(processed_at__isnull=False)
            ids = set(folded.values_list("pk", flat=True)) - _state.unfolded
            _fold(sorted(ids), -1)
            _state.unfolded |= ids
        yield
        if outermost:
            _fold(sorted(_state.unfolded), 1)
    finally:
        if outermost:
            del _state.unfolded


def is_refold(event_ids: Sequence[int]) -> bool:
    """Whether these events come back after a rewrite rather than newly applied
    (a follower acting once per event, not keeping totals, skips them)."""
    return bool(event_ids) and set(event_ids) <= _unfolded()


def _unfolded() -> set[int]:
    return getattr(_state, "unfolded", set())


def _fold(ids: Sequence[int], sign: int) -> None:
    if not ids:
        return
    for follower in _FOLLOWERS:
        follower.fold(ids, sign)
