"""Store reports computed on demand, once per request for the same question.

A report field asks the loader for its report and gets a promise; the report
runs only if some field asked for it, and aliases asking the same question (the
same report, channel, period and options) share one computation.
"""

from collections.abc import Sequence
from typing import Any, NamedTuple

from promise import Promise
from promise.dataloader import DataLoader

from ...reports import Period, runner


class ReportKey(NamedTuple):
    """A report by its registry name, for one channel and period."""

    name: str
    channel: str
    period: Period
    # Keyword options of the report's runner, as sorted (name, value) pairs.
    options: tuple[tuple[str, Any], ...] = ()


def report_key(name: str, channel: str, period: Period, **options: Any) -> ReportKey:
    return ReportKey(name, channel, period, tuple(sorted(options.items())))


class ReportLoader(DataLoader):
    """ReportKey -> the report's result (a frozen dataclass of ``reports.results``)."""

    def batch_load_fn(self, keys: Sequence[ReportKey]) -> Promise[list[Any]]:
        return Promise.resolve(
            [
                runner(key.name)(key.channel, key.period, **dict(key.options))
                for key in keys
            ]
        )
