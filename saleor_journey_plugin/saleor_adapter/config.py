"""The plugin's dashboard settings: defaults, parsing, validation."""

import re
from functools import cache
from zoneinfo import available_timezones

from ..campaigns import settings as campaigns
from ..core.host import DEFAULT_LAPSE_AFTER_DAYS, ChannelSettings
from ..core.presets import DEFAULT_PRESET, PRESETS, Language
from ..loyalty import settings as loyalty
from ..reviews.signature import MIN_KEY_BYTES, parse_secrets, secrets_error

PRESET = "stage_preset"
LANGUAGE = "label_language"
LAPSE_AFTER_DAYS = "lapse_after_days"
COUNT_NEW_ACCOUNTS = "count_new_accounts"
TIME_ZONE = "time_zone"
MAX_LAPSE_AFTER_DAYS = 3650
_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")
_BOOLEANS = {"true": True, "false": False}

DEFAULTS: dict[str, str] = {
    PRESET: DEFAULT_PRESET,
    LANGUAGE: Language.EN.value,
    LAPSE_AFTER_DAYS: str(DEFAULT_LAPSE_AFTER_DAYS),
    COUNT_NEW_ACCOUNTS: "true",
    TIME_ZONE: "UTC",
}
# Fields the dashboard shows as a switch; the rest are text.
BOOLEAN_FIELDS = frozenset({COUNT_NEW_ACCOUNTS})

HELP: dict[str, tuple[str, str]] = {
    PRESET: (
        "Stage preset",
        "How stages are named in this channel: " + ", ".join(PRESETS) + ".",
    ),
    LANGUAGE: ("Label language", "Language of stage labels: en or ko."),
    LAPSE_AFTER_DAYS: (
        "Lapse after (days)",
        "A customer with no paid order for this many days after buying is "
        f"moved to At risk (LAPSED). 1 to {MAX_LAPSE_AFTER_DAYS}.",
    ),
    COUNT_NEW_ACCOUNTS: (
        "Count new accounts",
        "A customer who creates an account enters this channel's funnel at "
        "Awareness. Turn off to count only customers who did something in it.",
    ),
    TIME_ZONE: (
        "Time zone",
        "IANA time zone of this channel's reports (their calendar days), e.g. "
        "Asia/Seoul. Default UTC.",
    ),
}

# Loyalty points (``loyalty/settings.py`` owns their names, checks and help).
DEFAULTS.update(loyalty.DEFAULTS)
HELP.update(loyalty.HELP)
BOOLEAN_FIELDS |= loyalty.BOOLEAN_FIELDS


def dashboard_defaults() -> list[dict]:
    """The defaults as Saleor keeps them: a switch's value is a boolean."""
    return [
        {"name": name, "value": _BOOLEANS[value] if name in BOOLEAN_FIELDS else value}
        for name, value in DEFAULTS.items()
    ]


def as_dict(configuration: list[dict]) -> dict[str, str]:
    values = dict(DEFAULTS)
    for item in configuration or []:
        if item.get("name") in DEFAULTS and item.get("value") not in (None, ""):
            values[item["name"]] = str(item["value"]).strip()
    return values


def errors(configuration: list[dict]) -> dict[str, str]:
    """Field name -> message for every value the engine cannot use."""
    values = as_dict(configuration)
    found: dict[str, str] = {}
    if values[PRESET] not in PRESETS:
        found[PRESET] = (
            f"Unknown stage preset '{values[PRESET]}'; use one of: "
            + ", ".join(PRESETS)
            + "."
        )
    if values[LANGUAGE] not in {lang.value for lang in Language}:
        found[LANGUAGE] = f"Unknown label language '{values[LANGUAGE]}'; use en or ko."
    days = values[LAPSE_AFTER_DAYS]
    # str.isdigit() admits "²" and other digits int() refuses: ASCII only.
    if not _WHOLE_NUMBER.fullmatch(days) or not 1 <= int(days) <= MAX_LAPSE_AFTER_DAYS:
        found[LAPSE_AFTER_DAYS] = (
            f"Lapse after days must be a whole number from 1 to "
            f"{MAX_LAPSE_AFTER_DAYS}, got '{days}'."
        )
    if values[COUNT_NEW_ACCOUNTS].lower() not in _BOOLEANS:
        found[COUNT_NEW_ACCOUNTS] = (
            f"Count new accounts must be true or false, got "
            f"'{values[COUNT_NEW_ACCOUNTS]}'."
        )
    if values[TIME_ZONE] not in _time_zones():
        found[TIME_ZONE] = (
            f"Unknown time zone '{values[TIME_ZONE]}'; use an IANA name such as "
            "UTC, Europe/Berlin or Asia/Seoul."
        )
    found.update(_review_errors(values))
    found.update(loyalty.errors(values))
    found.update(campaigns.errors(values))
    return found


@cache
def _time_zones() -> frozenset[str]:
    # Reading the tz database's index takes a while; it does not change.
    return frozenset(available_timezones())


def channel_settings(configuration: list[dict]) -> ChannelSettings:
    """Settings from a saved configuration; a stale bad value gets its default."""
    values = as_dict(configuration)
    for name in errors(configuration):
        values[name] = DEFAULTS[name]
    return ChannelSettings(
        preset=values[PRESET],
        language=Language(values[LANGUAGE]),
        lapse_after_days=int(values[LAPSE_AFTER_DAYS]),
        count_new_accounts=_BOOLEANS[values[COUNT_NEW_ACCOUNTS].lower()],
        time_zone=values[TIME_ZONE],
        review_webhook_secrets=parse_secrets(values[REVIEW_WEBHOOK_SECRETS]),
        loyalty=loyalty.loyalty_settings(values),
        campaigns=campaigns.campaign_settings(values, Language(values[LANGUAGE])),
    )


# -- Reviews -------------------------------------------------------------------
REVIEW_WEBHOOK_SECRETS = "review_webhook_secrets"
DEFAULTS[REVIEW_WEBHOOK_SECRETS] = ""
# Saleor secret fields: its API reads back only their last four characters.
SECRET_FIELDS = frozenset({REVIEW_WEBHOOK_SECRETS})
HELP[REVIEW_WEBHOOK_SECRETS] = (
    "Review webhook secrets",
    "Secrets the review service signs its webhooks with (Standard Webhooks), "
    "separated by spaces: each the base64 of a key of at least "
    f"{MIN_KEY_BYTES} bytes, optionally after whsec_. Two while rotating. "
    "Empty: every review webhook is refused.",
)


def _review_errors(values: dict[str, str]) -> dict[str, str]:
    message = secrets_error(values[REVIEW_WEBHOOK_SECRETS])
    return {REVIEW_WEBHOOK_SECRETS: message} if message else {}


# Campaign fields (``campaigns/settings.py`` owns their names, defaults and
# checks). Subjects and bodies are multiline templates whose raw text counts.
DEFAULTS.update(campaigns.DEFAULTS)
HELP.update(campaigns.HELP)
BOOLEAN_FIELDS = BOOLEAN_FIELDS | campaigns.BOOLEAN_FIELDS
MULTILINE_FIELDS = campaigns.MULTILINE_FIELDS
