"""How each store preset names the canonical stages (English and Korean)."""

from dataclasses import dataclass
from enum import StrEnum

from .stages import Stage


class Language(StrEnum):
    EN = "en"
    KO = "ko"


@dataclass(frozen=True)
class Label:
    en: str
    ko: str

    def text(self, language: Language | str) -> str:
        return self.ko if Language(language) is Language.KO else self.en


AT_RISK = Label("At risk", "이탈 위험")

_AWARENESS = Label("Awareness", "인지")
_INTEREST = Label("Interest", "관심")
_CONSIDERATION = Label("Consideration", "고려")
_PURCHASE = Label("Purchase", "구매")
_LOYALTY = Label("Loyalty", "충성")

PRESETS: dict[str, dict[Stage, Label]] = {
    "standard": {
        Stage.AWARENESS: _AWARENESS,
        Stage.INTEREST: _INTEREST,
        Stage.CONSIDERATION: _CONSIDERATION,
        Stage.PURCHASE: _PURCHASE,
        Stage.RETENTION: Label("Retention", "유지"),
        Stage.LOYALTY: _LOYALTY,
    },
    "five_stage": {
        Stage.AWARENESS: _AWARENESS,
        Stage.INTEREST: _INTEREST,
        Stage.CONSIDERATION: _INTEREST,
        Stage.PURCHASE: _PURCHASE,
        Stage.RETENTION: Label("Experience", "경험"),
        Stage.LOYALTY: _LOYALTY,
    },
    "hubspot": {
        Stage.AWARENESS: _AWARENESS,
        Stage.INTEREST: _CONSIDERATION,
        Stage.CONSIDERATION: _CONSIDERATION,
        Stage.PURCHASE: Label("Decision", "결정"),
        Stage.RETENTION: Label("Retention", "유지"),
        Stage.LOYALTY: _LOYALTY,
    },
    "marketing_funnel": {
        Stage.AWARENESS: _AWARENESS,
        Stage.INTEREST: _INTEREST,
        Stage.CONSIDERATION: _CONSIDERATION,
        Stage.PURCHASE: _PURCHASE,
        Stage.RETENTION: Label("Post-purchase", "구매 후 행동"),
        Stage.LOYALTY: Label("Post-purchase", "구매 후 행동"),
    },
}
DEFAULT_PRESET = "standard"


def stage_label(stage: Stage, preset: str, language: Language | str) -> str:
    if stage is Stage.LAPSED:
        return AT_RISK.text(language)
    return PRESETS[preset][stage].text(language)


def preset_columns(
    preset: str, language: Language | str
) -> list[tuple[str, list[Stage]]]:
    """The preset's labels in funnel order, each with the stages it covers."""
    columns: list[tuple[str, list[Stage]]] = []
    for stage, label in PRESETS[preset].items():
        text = label.text(language)
        if columns and columns[-1][0] == text:
            columns[-1][1].append(stage)
        else:
            columns.append((text, [stage]))
    columns.append((AT_RISK.text(language), [Stage.LAPSED]))
    return columns
