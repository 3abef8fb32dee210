"""The journey's own channel settings: stage names, lapse, time zone."""

from collections.abc import Mapping
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from .fields import Field, FieldKind, Section, boolean, one_of, whole_number
from .host import DEFAULT_LAPSE_AFTER_DAYS
from .presets import DEFAULT_PRESET, PRESETS, Language

PRESET = "stage_preset"
LANGUAGE = "label_language"
LAPSE_AFTER_DAYS = "lapse_after_days"
COUNT_NEW_ACCOUNTS = "count_new_accounts"
TIME_ZONE = "time_zone"
MAX_LAPSE_AFTER_DAYS = 3650


@cache
def _time_zones() -> frozenset[str]:
    # Reading the tz database's index takes a while; it does not change.
    return frozenset(available_timezones())


FIELDS = (
    Field(
        PRESET,
        default=DEFAULT_PRESET,
        label="Stage preset",
        help="How stages are named in this channel: " + ", ".join(PRESETS) + ".",
        parse=one_of(
            lambda: tuple(PRESETS),
            "Unknown stage preset '{value}'; use one of: " + ", ".join(PRESETS) + ".",
        ),
        choices=tuple(PRESETS),
    ),
    Field(
        LANGUAGE,
        default=Language.EN.value,
        label="Label language",
        help="Language of stage labels: en or ko.",
        parse=one_of(
            lambda: tuple(language.value for language in Language),
            "Unknown label language '{value}'; use en or ko.",
        ),
        choices=tuple(language.value for language in Language),
    ),
    Field(
        LAPSE_AFTER_DAYS,
        default=str(DEFAULT_LAPSE_AFTER_DAYS),
        label="Lapse after (days)",
        help="A customer with no paid order for this many days after buying is "
        f"moved to At risk (LAPSED). 1 to {MAX_LAPSE_AFTER_DAYS}.",
        parse=whole_number(1, MAX_LAPSE_AFTER_DAYS),
        noun="Lapse after days",
    ),
    Field(
        COUNT_NEW_ACCOUNTS,
        default="true",
        label="Count new accounts",
        help="A customer who creates an account enters this channel's funnel at "
        "Awareness. Turn off to count only customers who did something in it.",
        parse=boolean,
        kind=FieldKind.BOOLEAN,
        noun="Count new accounts",
    ),
    Field(
        TIME_ZONE,
        default="UTC",
        label="Time zone",
        help="IANA time zone of this channel's reports (their calendar days), e.g. "
        "Asia/Seoul. Default UTC.",
        parse=one_of(
            _time_zones,
            "Unknown time zone '{value}'; use an IANA name such as UTC, "
            "Europe/Berlin or Asia/Seoul.",
        ),
    ),
)


def build(values: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "preset": values[PRESET],
        "language": Language(values[LANGUAGE]),
        "lapse_after_days": values[LAPSE_AFTER_DAYS],
        "count_new_accounts": values[COUNT_NEW_ACCOUNTS],
        "time_zone": values[TIME_ZONE],
    }


SECTION = Section("journey", lambda: FIELDS, build)
