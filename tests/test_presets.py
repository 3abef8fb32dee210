import pytest

from saleor_journey_plugin.core.presets import PRESETS, preset_columns, stage_label
from saleor_journey_plugin.core.stages import FUNNEL, Stage

EXPECTED = {
    "standard": [
        ("Awareness", "인지"),
        ("Interest", "관심"),
        ("Consideration", "고려"),
        ("Purchase", "구매"),
        ("Retention", "유지"),
        ("Loyalty", "충성"),
    ],
    "five_stage": [
        ("Awareness", "인지"),
        ("Interest", "관심"),
        ("Interest", "관심"),
        ("Purchase", "구매"),
        ("Experience", "경험"),
        ("Loyalty", "충성"),
    ],
    "hubspot": [
        ("Awareness", "인지"),
        ("Consideration", "고려"),
        ("Consideration", "고려"),
        ("Decision", "결정"),
        ("Retention", "유지"),
        ("Loyalty", "충성"),
    ],
    "marketing_funnel": [
        ("Awareness", "인지"),
        ("Interest", "관심"),
        ("Consideration", "고려"),
        ("Purchase", "구매"),
        ("Post-purchase", "구매 후 행동"),
        ("Post-purchase", "구매 후 행동"),
    ],
}


@pytest.mark.parametrize("preset", sorted(EXPECTED))
def test_every_stage_has_its_preset_label_in_both_languages(preset):
    for stage, (english, korean) in zip(FUNNEL, EXPECTED[preset], strict=True):
        assert stage_label(stage, preset, "en") == english
        assert stage_label(stage, preset, "ko") == korean


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_lapsed_is_at_risk_in_every_preset(preset):
    assert stage_label(Stage.LAPSED, preset, "en") == "At risk"
    assert stage_label(Stage.LAPSED, preset, "ko") == "이탈 위험"


def test_columns_group_the_stages_a_label_covers():
    columns = preset_columns("five_stage", "en")

    assert columns == [
        ("Awareness", [Stage.AWARENESS]),
        ("Interest", [Stage.INTEREST, Stage.CONSIDERATION]),
        ("Purchase", [Stage.PURCHASE]),
        ("Experience", [Stage.RETENTION]),
        ("Loyalty", [Stage.LOYALTY]),
        ("At risk", [Stage.LAPSED]),
    ]
