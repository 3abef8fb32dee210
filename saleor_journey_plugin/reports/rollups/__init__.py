"""Rollups: what the drain keeps so that reports on a big store stay fast.

The drain folds every event it applies into these tables in the same
transaction (``fold.py``, through ``core.followers``), so they always agree
with the event log; the reports in this package read them and return the same
values as the reference reports one level up, which read the log itself. The
reference is used where the rollups cannot answer: SQLite, a channel whose
rollups are being rebuilt, or a period in another time zone than the
rollups' days.

The tables are ``models.py``; ``fold.py`` keeps most of them, and
``tallies/`` the running sums PostgreSQL triggers keep. ``funnel.py``,
``journey_map.py``, ``kpis.py`` and ``time_in_stage.py`` each answer the
report of the same name one level up (``reports/journey_map.py`` is the
journey map report read from the log; the page that draws it is the
``journey_map_page`` package).
"""

from collections.abc import Sequence

from .fold import fold


class Rollups:
    """The follower the app registers with ``core.followers``."""

    def fold(self, event_ids: Sequence[int], sign: int) -> None:
        fold(event_ids, sign)


ROLLUPS = Rollups()
