"""A period's instants as whole UTC months, whole UTC days and partial days.

Some tallies keep their sums twice, per UTC day (grain ``D``) and per UTC
month (grain ``M``). A period in the channel's time zone starts and ends at
local midnights; between them lie whole UTC days, grouped into whole months
where they can be, and a partial UTC day at each end, which is read from the
rows themselves. A year is then about a dozen months and at most two months of
days, however busy the store is.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from ..period import Period

# The rows of tally ``t`` for the whole months, and the whole days before and
# after them. Constants, like the partial days below: the planner then knows
# how few rows they are (from a joined list of spans it guessed a scan of the
# whole table).
IN_WHOLE_DAYS = (
    "(t.grain = 'M' AND t.day >= %(months_first)s AND t.day < %(months_end)s"
    " OR t.grain = 'D' AND t.day >= %(days_first)s AND t.day < %(months_first)s"
    " OR t.grain = 'D' AND t.day >= %(months_end)s AND t.day < %(days_end)s)"
)


def over_partial_days(select: str) -> str:
    """``select`` once per partial day, as one ``UNION ALL``: ``PARTIAL_LOW``
    and ``PARTIAL_HIGH`` in it stand for the day's range of instants.

    The ranges are constants in each statement, so the planner knows they
    hold a day's rows at most: joined to a list of ranges it guessed a third
    of the table, and planned parallel workers and JIT compiling that cost
    more than the rows.
    """
    return " UNION ALL ".join(
        select.replace("PARTIAL_LOW", f"%({end}_low)s").replace(
            "PARTIAL_HIGH", f"%({end}_high)s"
        )
        for end in ("head", "tail")
    )


_Instants = tuple[datetime, datetime]


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


@dataclass(frozen=True)
class Spans:
    """``period`` split into ``[first_day, end_day)``, its whole UTC days (the
    months ``[first_month, end_month)`` among them), and the rest."""

    period: Period

    @property
    def first_day(self) -> date:
        start = self.period.start_utc.astimezone(UTC)
        day = start.date()
        return day if start == _midnight(day) else day + timedelta(days=1)

    @property
    def end_day(self) -> date:
        return max(self.first_day, self.period.end_utc.astimezone(UTC).date())

    @property
    def months(self) -> tuple[date, date]:
        """The whole months among the whole days; ``(end_day, end_day)`` if none."""
        first, end = self.first_day, self.end_day
        first_month = first if first.day == 1 else _next_month(first)
        end_month = end.replace(day=1)
        if first_month >= end_month:
            return end, end
        return first_month, end_month

    @property
    def partial_days(self) -> tuple[_Instants, _Instants]:
        """The instants of the period before and after its whole UTC days (an
        empty range where there are none)."""
        start, end = self.period.start_utc, self.period.end_utc
        if self.first_day == self.end_day:
            return (start, end), (end, end)
        return (start, _midnight(self.first_day)), (_midnight(self.end_day), end)

    @property
    def whole_days(self) -> tuple[datetime, datetime]:
        """The instants of the whole UTC days."""
        return _midnight(self.first_day), _midnight(self.end_day)

    def params(self) -> dict[str, Any]:
        """The parameters of ``IN_WHOLE_DAYS`` and ``over_partial_days``."""
        first_month, end_month = self.months
        (head_low, head_high), (tail_low, tail_high) = self.partial_days
        whole_start, whole_end = self.whole_days
        return {
            "days_first": self.first_day,
            "days_end": self.end_day,
            "months_first": first_month,
            "months_end": end_month,
            "head_low": head_low,
            "head_high": head_high,
            "tail_low": tail_low,
            "tail_high": tail_high,
            "whole_start": whole_start,
            "whole_end": whole_end,
        }


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)
