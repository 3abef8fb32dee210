import graphene

from ..core.events import Emotion, EventType, TouchChannel
from ..core.presets import Language
from ..core.stages import Stage

JourneyStageEnum = graphene.Enum(
    "JourneyStage", [(s.value, s.value) for s in Stage], description="Canonical stage."
)
JourneyEventTypeEnum = graphene.Enum(
    "JourneyEventType", [(t.value, t.value) for t in EventType]
)
TouchChannelEnum = graphene.Enum(
    "JourneyTouchChannel", [(c.value, c.value) for c in TouchChannel]
)
EmotionEnum = graphene.Enum("JourneyEmotion", [(e.value, e.value) for e in Emotion])
JourneyLanguageEnum = graphene.Enum(
    "JourneyLanguage", [(lang.name, lang.value) for lang in Language]
)
JourneyFunnelViewEnum = graphene.Enum(
    "JourneyFunnelView",
    [("CANONICAL", "CANONICAL"), ("PRESET", "PRESET")],
    description="CANONICAL: one step per stage; PRESET: one per preset label.",
)
JourneyIntervalEnum = graphene.Enum(
    "JourneyInterval",
    [("DAY", "DAY"), ("WEEK", "WEEK"), ("MONTH", "MONTH")],
    description="Calendar days, weeks from Monday, or months.",
)
