"""Rollups: what the drain keeps so that reports on a big store stay fast.

The drain folds every event it applies into these tables in the same
transaction (``fold.py``, through ``core.followers``), so they always agree
with the event log; the reports in this package read them and return the same
values as the reference reports one level up, which read the log itself. The
reference is used where the rollups cannot answer: SQLite, a channel whose
rollups are being rebuilt, or a period in another time zone than the
rollups' days.
"""

from collections.abc import Sequence

from .fold import fold


class Rollups:
    """The follower the app registers with ``core.followers``."""

    def fold(self, event_ids: Sequence[int], sign: int) -> None:
        fold(event_ids, sign)


ROLLUPS = Rollups()
