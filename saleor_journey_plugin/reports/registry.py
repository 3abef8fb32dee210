"""The reports by name, so that features can add their own.

A report is a runner ``(channel: str, period: Period, **options) -> result``
returning a frozen dataclass. A feature registers its runner in its own module
with ``@register("name")``; the built-in reports are registered when
``saleor_journey_plugin.reports`` is imported.
"""

from collections.abc import Callable
from typing import Any, TypeVar

Runner = Callable[..., Any]
R = TypeVar("R", bound=Runner)

_RUNNERS: dict[str, Runner] = {}


def register(name: str) -> Callable[[R], R]:
    def add(runner: R) -> R:
        if _RUNNERS.get(name, runner) is not runner:
            raise ValueError(f"A report named {name!r} is already registered.")
        _RUNNERS[name] = runner
        return runner

    return add


def unregister(name: str) -> None:
    _RUNNERS.pop(name, None)


def runner(name: str) -> Runner:
    try:
        return _RUNNERS[name]
    except KeyError:
        raise LookupError(
            f"No report named {name!r}; known reports: {', '.join(names())}."
        ) from None


def names() -> tuple[str, ...]:
    return tuple(sorted(_RUNNERS))
