"""Enums more than one domain's types use."""

import graphene

from ..core.presets import Language
from ..core.stages import Stage

JourneyStageEnum = graphene.Enum(
    "JourneyStage", [(s.value, s.value) for s in Stage], description="Canonical stage."
)
JourneyLanguageEnum = graphene.Enum(
    "JourneyLanguage", [(lang.name, lang.value) for lang in Language]
)
