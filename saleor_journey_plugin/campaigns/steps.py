"""A campaign's steps as the dashboard writes them: ``1h, 24h:10%, 72h``."""

import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

_STEP = re.compile(
    r"(?P<amount>[0-9]{1,5})(?P<unit>[mhd])"
    r"(?::(?P<value>[0-9]{1,7}(?:\.[0-9]{1,2})?)(?P<percent>%)?)?"
)
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}
MAX_STEPS = 10
MAX_DELAY = timedelta(days=365)
SYNTAX = (
    "comma-separated steps, each a delay in minutes, hours or days (30m, 24h, "
    "7d) with an optional coupon (:10% off, or :5 off in the channel currency), "
    "e.g. '1h, 24h:10%, 72h'"
)


class StepError(ValueError):
    """A steps field the engine cannot use; the message says what is allowed."""


@dataclass(frozen=True)
class Coupon:
    value: Decimal
    # True: ``value`` percent off; False: ``value`` off in the channel currency.
    percentage: bool

    def __str__(self) -> str:
        return f"{self.value}%" if self.percentage else f"{self.value}"


@dataclass(frozen=True)
class Step:
    delay: timedelta
    coupon: Coupon | None = None


def parse_steps(text: str) -> tuple[Step, ...]:
    """The steps of ``text``, in order; their delays must grow."""
    parts = [part.strip() for part in (text or "").split(",")]
    if not any(parts):
        raise StepError(f"Give at least one step: {SYNTAX}.")
    if len(parts) > MAX_STEPS:
        raise StepError(f"At most {MAX_STEPS} steps, got {len(parts)}.")
    steps: list[Step] = []
    for part in parts:
        match = _STEP.fullmatch(part.replace(" ", ""))
        if match is None:
            raise StepError(f"Cannot read step '{part}'; use {SYNTAX}.")
        delay = timedelta(**{_UNITS[match["unit"]]: int(match["amount"])})
        if delay > MAX_DELAY:
            raise StepError(f"Step '{part}' waits longer than 365 days.")
        coupon = None
        if match["value"] is not None:
            value = Decimal(match["value"])
            percentage = bool(match["percent"])
            if value <= 0 or (percentage and value > 100):
                raise StepError(
                    f"Step '{part}': a coupon is more than 0 and a percentage "
                    "at most 100."
                )
            coupon = Coupon(value=value, percentage=percentage)
        if steps and delay <= steps[-1].delay:
            raise StepError(
                f"Step '{part}' must come later than the step before it: delays "
                "count from the trigger and grow."
            )
        steps.append(Step(delay=delay, coupon=coupon))
    return tuple(steps)
