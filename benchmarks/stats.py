"""Percentiles and the plain-text table the benchmark prints."""

import statistics
import sys
from collections.abc import Sequence


def percentile(samples: Sequence[float], pct: int) -> float:
    """The pct-th percentile (inclusive method) of at least two samples."""
    return statistics.quantiles(samples, n=100, method="inclusive")[pct - 1]


def latency_ms(samples_ns: Sequence[int]) -> str:
    ms = [s / 1e6 for s in samples_ns]
    return (
        f"median {statistics.median(ms):.3f}  p95 {percentile(ms, 95):.3f}  "
        f"p99 {percentile(ms, 99):.3f} ms"
    )


def median_us(samples_ns: Sequence[int]) -> float:
    return statistics.median(samples_ns) / 1e3


class Table:
    """Rows of (measurement, figure), printed as one aligned table."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.rows: list[tuple[str, str]] = []
        self.notes: list[str] = []

    def add(self, name: str, figure: str) -> None:
        self.rows.append((name, figure))
        print(f"  {name}: {figure}", file=sys.stderr, flush=True)

    def note(self, text: str) -> None:
        self.notes.append(text)
        print(f"  {text}", file=sys.stderr, flush=True)

    def render(self) -> str:
        width = max((len(name) for name, _ in self.rows), default=0)
        rule = "-" * (width + 2 + max((len(f) for _, f in self.rows), default=0))
        lines = [self.title, rule]
        lines += [f"{name.ljust(width)}  {figure}" for name, figure in self.rows]
        lines.append(rule)
        lines += self.notes
        return "\n".join(lines)
