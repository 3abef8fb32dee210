"""Simulated time: the queue of what happens when, and plausible moments.

Every draw comes from the simulation's one random stream, so the order of
calls is part of the outcome: the same seed gives the same run.
"""

import heapq
import random
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

Action = Callable[..., None]


class Clock:
    def __init__(self, rng: random.Random, start: datetime, end: datetime) -> None:
        self.rng = rng
        self.start = start
        self.end = end
        self._queue: list[tuple[datetime, int, Action, tuple[Any, ...]]] = []
        self._seq = 0

    def push(self, at: datetime, action: Action, *args: Any) -> None:
        """Schedule ``action(at, *args)``; what falls after the period never happens."""
        if at >= self.end:
            return
        self._seq += 1
        heapq.heappush(self._queue, (at, self._seq, action, args))

    def has_due(self, until: datetime) -> bool:
        return bool(self._queue) and self._queue[0][0] < until

    def due(
        self, until: datetime
    ) -> Iterator[tuple[datetime, Action, tuple[Any, ...]]]:
        """What is scheduled before ``until``, in order, including what the
        actions themselves schedule on the way (ties in the order pushed)."""
        while self.has_due(until):
            at, _, action, args = heapq.heappop(self._queue)
            yield at, action, args

    def after(self, at: datetime, *, minutes: float = 0, hours: float = 0) -> datetime:
        """A moment after ``at``, at a random second within the given spread."""
        spread = minutes * 60 + hours * 3600
        return at + timedelta(seconds=30 + self.rng.uniform(0, spread))

    def day_time(self, day: datetime) -> datetime:
        """A time of day shoppers are awake (their channel's time zone ignored)."""
        midnight = day.replace(hour=0, minute=0, second=0, microsecond=0)
        hour = self.rng.choice((8, 9, 11, 12, 13, 17, 19, 20, 20, 21, 21, 22, 23))
        return midnight + timedelta(hours=hour, seconds=self.rng.randrange(3600))

    def days_later(
        self, at: datetime, mean_days: float, at_least: float = 1
    ) -> datetime:
        gap = max(at_least, self.rng.expovariate(1 / mean_days))
        later = self.day_time(at + timedelta(days=gap))
        # The time of day is drawn anew: keep it after ``at``.
        return later if later > at + timedelta(hours=1) else later + timedelta(days=1)

    def arrival_time(self) -> datetime:
        # A launch campaign brings many shoppers early; the rest trickle in.
        span = (self.end - self.start).days
        day = self.rng.random() ** 1.4 * span * 0.95
        return self.day_time(self.start + timedelta(days=day))
