from enum import StrEnum


class Stage(StrEnum):
    AWARENESS = "AWARENESS"
    INTEREST = "INTEREST"
    CONSIDERATION = "CONSIDERATION"
    PURCHASE = "PURCHASE"
    RETENTION = "RETENTION"
    LOYALTY = "LOYALTY"
    LAPSED = "LAPSED"


# LAPSED sits outside the funnel order: it is left only by ordering again.
FUNNEL: tuple[Stage, ...] = (
    Stage.AWARENESS,
    Stage.INTEREST,
    Stage.CONSIDERATION,
    Stage.PURCHASE,
    Stage.RETENTION,
    Stage.LOYALTY,
)
RANK: dict[Stage, int] = {stage: index + 1 for index, stage in enumerate(FUNNEL)}

# Stages whose customers can lapse: they have bought at least once.
CAN_LAPSE: frozenset[Stage] = frozenset(
    {Stage.PURCHASE, Stage.RETENTION, Stage.LOYALTY}
)


def rank(stage: Stage | None) -> int:
    return RANK.get(stage, 0) if stage else 0
