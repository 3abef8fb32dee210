import graphene

from ...core.events import Emotion, EventType, TouchChannel

JourneyEventTypeEnum = graphene.Enum(
    "JourneyEventType", [(t.value, t.value) for t in EventType]
)
TouchChannelEnum = graphene.Enum(
    "JourneyTouchChannel", [(c.value, c.value) for c in TouchChannel]
)
EmotionEnum = graphene.Enum("JourneyEmotion", [(e.value, e.value) for e in Emotion])
# What a storefront may report; the other events come from the store itself.
TrackableEventEnum = graphene.Enum(
    "JourneyTrackableEvent",
    [
        (t.value, t.value)
        for t in (
            EventType.VISIT,
            EventType.PRODUCT_VIEWED,
            EventType.NEWSLETTER_OPT_IN,
            EventType.UNSUBSCRIBED,
        )
    ],
)
