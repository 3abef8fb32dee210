"""A channel's loyalty settings, from the dashboard fields stores script by name."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..core.fields import (
    Field,
    FieldError,
    FieldKind,
    Section,
    boolean,
    positive_decimal,
    read,
    whole,
    whole_number,
)

LOYALTY_ENABLED = "loyalty_enabled"
POINTS_PER_UNIT = "points_per_unit"
POINT_VALUE = "point_value"
MIN_REDEEM_POINTS = "min_redeem_points"
REVIEW_POINTS = "review_points"
POINTS_EXPIRE_DAYS = "points_expire_days"
TIERS = "tiers"

MAX_POINTS_PER_UNIT = 1000
MAX_POINTS = 1_000_000
MAX_EXPIRE_DAYS = 3650
MAX_TIERS = 10
MAX_MULTIPLIER = Decimal(10)
DEFAULT_TIERS = "Bronze:0:1, Silver:500:1.25, Gold:1500:1.5"

_MULTIPLIER = re.compile(r"[0-9]{1,2}(\.[0-9]{1,2})?")
_TIER_NAME = re.compile(r"[^\s:,](?:[^:,]{0,30}[^\s:,])?")


@dataclass(frozen=True)
class Tier:
    name: str
    threshold: int
    multiplier: Decimal


@dataclass(frozen=True)
class LoyaltySettings:
    enabled: bool = False
    points_per_unit: int = 1
    point_value: Decimal = Decimal("0.01")
    min_redeem_points: int = 500
    review_points: int = 50
    # 0: points never expire.
    points_expire_days: int = 365
    tiers: tuple[Tier, ...] = (
        Tier("Bronze", 0, Decimal(1)),
        Tier("Silver", 500, Decimal("1.25")),
        Tier("Gold", 1500, Decimal("1.5")),
    )


def parse_tiers(value: str) -> tuple[tuple[Tier, ...] | None, str]:
    """The tiers, or None and what is wrong with them."""
    tiers: list[Tier] = []
    parts = [part.strip() for part in value.split(",")]
    if len(parts) > MAX_TIERS:
        return None, f"at most {MAX_TIERS} tiers"
    for part in parts:
        fields = [field.strip() for field in part.split(":")]
        if len(fields) != 3:
            return None, f"'{part}' is not name:threshold:multiplier"
        name, threshold, multiplier = fields
        if not _TIER_NAME.fullmatch(name):
            return None, f"'{name}' is not a tier name (1 to 32 characters)"
        if name.lower() in {tier.name.lower() for tier in tiers}:
            return None, f"the name '{name}' is used twice"
        points = whole(threshold, 0, MAX_POINTS * 100)
        if points is None:
            return None, f"the threshold of {name} is not a whole number"
        if not tiers and points != 0:
            return None, "the first tier must start at 0"
        if tiers and points <= tiers[-1].threshold:
            return None, f"the threshold of {name} must be above {tiers[-1].name}'s"
        if not _MULTIPLIER.fullmatch(multiplier) or not (
            1 <= Decimal(multiplier) <= MAX_MULTIPLIER
        ):
            return None, (
                f"the multiplier of {name} must be from 1 to {MAX_MULTIPLIER} "
                "with at most 2 decimals"
            )
        tiers.append(Tier(name, points, Decimal(multiplier)))
    return tuple(tiers), ""


def _tiers(text: str, noun: str) -> tuple[Tier, ...]:
    tiers, problem = parse_tiers(text)
    if tiers is None:
        raise FieldError(
            "Tiers must be name:threshold:multiplier, comma separated, e.g. "
            f"'{DEFAULT_TIERS}': {problem}."
        )
    return tiers


FIELDS = (
    Field(
        LOYALTY_ENABLED,
        default="false",
        label="Loyalty points",
        help="Customers earn points for paid orders and verified reviews, and turn "
        "them into voucher codes.",
        parse=boolean,
        kind=FieldKind.BOOLEAN,
        noun="Loyalty enabled",
    ),
    Field(
        POINTS_PER_UNIT,
        default="1",
        label="Points per currency unit",
        help="Points per whole unit of an order's net total, before the tier "
        f"multiplier. A whole number from 0 to {MAX_POINTS_PER_UNIT}.",
        parse=whole_number(0, MAX_POINTS_PER_UNIT),
        noun="Points per unit",
    ),
    Field(
        POINT_VALUE,
        default="0.01",
        label="Point value",
        help="What one point is worth in the channel currency, e.g. 0.01 (100 "
        "points = 1 unit). Greater than 0, at most 4 decimals.",
        parse=positive_decimal(4, example="0.01"),
        noun="Point value",
    ),
    Field(
        MIN_REDEEM_POINTS,
        default="500",
        label="Minimum redemption (points)",
        help=f"The fewest points a customer can redeem at once. 1 to {MAX_POINTS}.",
        parse=whole_number(1, MAX_POINTS),
        noun="Minimum redemption",
    ),
    Field(
        REVIEW_POINTS,
        default="50",
        label="Points for a review",
        help="Points for a verified review, once per customer and product. "
        f"0 to {MAX_POINTS}.",
        parse=whole_number(0, MAX_POINTS),
        noun="Review points",
    ),
    Field(
        POINTS_EXPIRE_DAYS,
        default="365",
        label="Points expire after (days)",
        help="Days after earning that unspent points expire, oldest first; 0 "
        f"never expires. 0 to {MAX_EXPIRE_DAYS}.",
        parse=whole_number(0, MAX_EXPIRE_DAYS),
        noun="Points expire days",
    ),
    Field(
        TIERS,
        default=DEFAULT_TIERS,
        label="Tiers",
        help="name:points earned in 365 days:earning multiplier, comma separated, "
        "e.g. Bronze:0:1, Silver:500:1.25, Gold:1500:1.5. The first tier starts "
        "at 0, thresholds increase, multipliers are at least 1.",
        parse=_tiers,
    ),
)


def build(values: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "loyalty": LoyaltySettings(
            enabled=values[LOYALTY_ENABLED],
            points_per_unit=values[POINTS_PER_UNIT],
            point_value=values[POINT_VALUE],
            min_redeem_points=values[MIN_REDEEM_POINTS],
            review_points=values[REVIEW_POINTS],
            points_expire_days=values[POINTS_EXPIRE_DAYS],
            tiers=values[TIERS],
        )
    }


SECTION = Section("loyalty", lambda: FIELDS, build)


def errors(raw: Mapping[str, object]) -> dict[str, str]:
    """Field name -> message for every loyalty value that cannot be used."""
    return read(FIELDS, raw)[1]
