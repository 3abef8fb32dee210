"""The plugin's dashboard settings: defaults, parsing, validation."""

import re

from ..core.host import DEFAULT_LAPSE_AFTER_DAYS, ChannelSettings
from ..core.presets import DEFAULT_PRESET, PRESETS, Language

PRESET = "stage_preset"
LANGUAGE = "label_language"
LAPSE_AFTER_DAYS = "lapse_after_days"
MAX_LAPSE_AFTER_DAYS = 3650
_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")

DEFAULTS: dict[str, str] = {
    PRESET: DEFAULT_PRESET,
    LANGUAGE: Language.EN.value,
    LAPSE_AFTER_DAYS: str(DEFAULT_LAPSE_AFTER_DAYS),
}

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
}


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
    return found


def channel_settings(configuration: list[dict]) -> ChannelSettings:
    """Settings from a saved configuration; a stale bad value gets its default."""
    values = as_dict(configuration)
    for name in errors(configuration):
        values[name] = DEFAULTS[name]
    return ChannelSettings(
        preset=values[PRESET],
        language=Language(values[LANGUAGE]),
        lapse_after_days=int(values[LAPSE_AFTER_DAYS]),
    )
