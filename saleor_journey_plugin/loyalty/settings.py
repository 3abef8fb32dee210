"""A channel's loyalty settings, from the dashboard fields stores script by name."""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

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

DEFAULTS: dict[str, str] = {
    LOYALTY_ENABLED: "false",
    POINTS_PER_UNIT: "1",
    POINT_VALUE: "0.01",
    MIN_REDEEM_POINTS: "500",
    REVIEW_POINTS: "50",
    POINTS_EXPIRE_DAYS: "365",
    TIERS: "Bronze:0:1, Silver:500:1.25, Gold:1500:1.5",
}
BOOLEAN_FIELDS = frozenset({LOYALTY_ENABLED})

HELP: dict[str, tuple[str, str]] = {
    LOYALTY_ENABLED: (
        "Loyalty points",
        "Customers earn points for paid orders and verified reviews, and turn "
        "them into voucher codes.",
    ),
    POINTS_PER_UNIT: (
        "Points per currency unit",
        "Points per whole unit of an order's net total, before the tier "
        f"multiplier. A whole number from 0 to {MAX_POINTS_PER_UNIT}.",
    ),
    POINT_VALUE: (
        "Point value",
        "What one point is worth in the channel currency, e.g. 0.01 (100 points "
        "= 1 unit). Greater than 0, at most 4 decimals.",
    ),
    MIN_REDEEM_POINTS: (
        "Minimum redemption (points)",
        f"The fewest points a customer can redeem at once. 1 to {MAX_POINTS}.",
    ),
    REVIEW_POINTS: (
        "Points for a review",
        "Points for a verified review, once per customer and product. "
        f"0 to {MAX_POINTS}.",
    ),
    POINTS_EXPIRE_DAYS: (
        "Points expire after (days)",
        "Days after earning that unspent points expire, oldest first; 0 never "
        f"expires. 0 to {MAX_EXPIRE_DAYS}.",
    ),
    TIERS: (
        "Tiers",
        "name:points earned in 365 days:earning multiplier, comma separated, "
        "e.g. Bronze:0:1, Silver:500:1.25, Gold:1500:1.5. The first tier starts "
        "at 0, thresholds increase, multipliers are at least 1.",
    ),
}

_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")
_DECIMAL = re.compile(r"[0-9]{1,9}(\.[0-9]{1,4})?")
_MULTIPLIER = re.compile(r"[0-9]{1,2}(\.[0-9]{1,2})?")
_TIER_NAME = re.compile(r"[^\s:,](?:[^:,]{0,30}[^\s:,])?")
_BOOLEANS = {"true": True, "false": False}


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


def _whole(value: str, low: int, high: int) -> int | None:
    # str.isdigit() admits "²" and other digits int() refuses: ASCII only.
    if not _WHOLE_NUMBER.fullmatch(value) or not low <= int(value) <= high:
        return None
    return int(value)


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
        points = _whole(threshold, 0, MAX_POINTS * 100)
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


def errors(values: dict[str, str]) -> dict[str, str]:
    """Field name -> message for every loyalty value that cannot be used."""
    values = _with_defaults(values)
    found: dict[str, str] = {}
    enabled = values[LOYALTY_ENABLED]
    if enabled.lower() not in _BOOLEANS:
        found[LOYALTY_ENABLED] = (
            f"Loyalty enabled must be true or false, got '{enabled}'."
        )
    wholes = (
        (POINTS_PER_UNIT, "Points per unit", 0, MAX_POINTS_PER_UNIT),
        (MIN_REDEEM_POINTS, "Minimum redemption", 1, MAX_POINTS),
        (REVIEW_POINTS, "Review points", 0, MAX_POINTS),
        (POINTS_EXPIRE_DAYS, "Points expire days", 0, MAX_EXPIRE_DAYS),
    )
    for name, label, low, high in wholes:
        if _whole(values[name], low, high) is None:
            found[name] = (
                f"{label} must be a whole number from {low} to {high}, "
                f"got '{values[name]}'."
            )
    if _point_value(values[POINT_VALUE]) is None:
        found[POINT_VALUE] = (
            "Point value must be a number greater than 0 with at most 4 decimals, "
            f"e.g. 0.01, got '{values[POINT_VALUE]}'."
        )
    _, problem = parse_tiers(values[TIERS])
    if problem:
        found[TIERS] = (
            f"Tiers must be name:threshold:multiplier, comma separated, e.g. "
            f"'{DEFAULTS[TIERS]}': {problem}."
        )
    return found


def _with_defaults(values: dict[str, str]) -> dict[str, str]:
    return {
        name: str(values.get(name, default)).strip()
        for name, default in DEFAULTS.items()
    }


def _point_value(value: str) -> Decimal | None:
    if not _DECIMAL.fullmatch(value):
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        return None
    return amount if amount > 0 else None


def loyalty_settings(values: dict[str, str]) -> LoyaltySettings:
    """Settings from dashboard values (as text); a bad value gets its default."""
    values = _with_defaults(values)
    for name in errors(values):
        values[name] = DEFAULTS[name]
    tiers, _ = parse_tiers(values[TIERS])
    assert tiers is not None
    return LoyaltySettings(
        enabled=_BOOLEANS[values[LOYALTY_ENABLED].lower()],
        points_per_unit=int(values[POINTS_PER_UNIT]),
        point_value=Decimal(values[POINT_VALUE]),
        min_redeem_points=int(values[MIN_REDEEM_POINTS]),
        review_points=int(values[REVIEW_POINTS]),
        points_expire_days=int(values[POINTS_EXPIRE_DAYS]),
        tiers=tiers,
    )
