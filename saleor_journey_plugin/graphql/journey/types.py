import graphene
from graphene.types.datetime import DateTime

from ...core.events import emotion, is_pain_point
from ...core.presets import stage_label
from ...core.stages import Stage
from ..enums import JourneyLanguageEnum, JourneyStageEnum
from ..paging import connection_type, page_size_arg
from . import resolvers
from .enums import EmotionEnum, JourneyEventTypeEnum, TouchChannelEnum


def _label(info, stage: str | None, language: str | None) -> str | None:
    if not stage:
        return None
    context = info.context
    return stage_label(
        Stage(stage), context.settings.preset, context.language(language)
    )


def _language_arg():
    return JourneyLanguageEnum(
        description="Language of the label; the channel's language when omitted."
    )


class JourneyCustomer(graphene.ObjectType):
    user_id = graphene.String(description="The store's user id; empty for a guest.")
    email = graphene.String()

    @staticmethod
    def resolve_user_id(root, info):
        return root.user_id or None


class JourneyTouchpoint(graphene.ObjectType):
    event_type = graphene.Field(JourneyEventTypeEnum, required=True)
    occurred_at = DateTime(required=True)
    stage = graphene.Field(JourneyStageEnum, description="Stage it happened in.")
    stage_label = graphene.String(language=_language_arg())
    touch_channel = graphene.Field(TouchChannelEnum, required=True)
    utm_source = graphene.String()
    utm_medium = graphene.String()
    utm_campaign = graphene.String()
    referrer = graphene.String()
    search_term = graphene.String()
    is_pain_point = graphene.Boolean(required=True)
    emotion = graphene.Field(EmotionEnum)

    @staticmethod
    def resolve_event_type(root, info):
        return root.type

    @staticmethod
    def resolve_stage(root, info):
        return root.stage or None

    @staticmethod
    def resolve_stage_label(root, info, language=None):
        return _label(info, root.stage, language)

    @staticmethod
    def resolve_is_pain_point(root, info):
        return is_pain_point(root.type, (root.payload or {}).get("rating"))

    @staticmethod
    def resolve_emotion(root, info):
        return emotion(root.type, (root.payload or {}).get("rating"))


class JourneyTransition(graphene.ObjectType):
    from_stage = graphene.Field(JourneyStageEnum)
    to_stage = graphene.Field(JourneyStageEnum, required=True)
    to_stage_label = graphene.String(language=_language_arg())
    occurred_at = DateTime(required=True)
    cause = graphene.Field(JourneyTouchpoint, required=True, description="The event.")
    win_back = graphene.Boolean(
        required=True, description="A lapsed customer ordering again."
    )

    @staticmethod
    def resolve_to_stage_label(root, info, language=None):
        return _label(info, root.to_stage, language)

    @staticmethod
    def resolve_cause(root, info):
        return root.event


class Journey(graphene.ObjectType):
    channel = graphene.String(required=True)
    customer = graphene.Field(JourneyCustomer, required=True)
    stage = graphene.Field(JourneyStageEnum)
    stage_label = graphene.String(language=_language_arg())
    stage_entered_at = DateTime()
    paid_orders = graphene.Int(required=True)
    history = graphene.NonNull(
        graphene.List(graphene.NonNull(JourneyTransition)),
        description="Stage changes, oldest first.",
    )
    touchpoints = graphene.NonNull(
        graphene.List(graphene.NonNull(JourneyTouchpoint)),
        first=page_size_arg(),
        description="Latest events first.",
    )
    pain_points = graphene.NonNull(
        graphene.List(graphene.NonNull(JourneyTouchpoint)),
        first=page_size_arg(),
    )

    @staticmethod
    def resolve_stage_label(root, info, language=None):
        return _label(info, root.stage, language)

    @staticmethod
    def resolve_history(root, info):
        return resolvers.resolve_history(info, root)

    @staticmethod
    def resolve_touchpoints(root, info, first):
        return resolvers.resolve_touchpoints(info, root, first, pain_only=False)

    @staticmethod
    def resolve_pain_points(root, info, first):
        return resolvers.resolve_touchpoints(info, root, first, pain_only=True)


JourneyConnection = connection_type("Journey", Journey, page_info="JourneyPageInfo")


class StageCount(graphene.ObjectType):
    stage = graphene.Field(JourneyStageEnum, required=True)
    label = graphene.String(required=True)
    count = graphene.Int(required=True)


class LabelCount(graphene.ObjectType):
    label = graphene.String(required=True, description="The preset's label.")
    stages = graphene.NonNull(graphene.List(graphene.NonNull(JourneyStageEnum)))
    count = graphene.Int(required=True)


class StageDistribution(graphene.ObjectType):
    preset = graphene.String(required=True)
    total = graphene.Int(required=True)
    stages = graphene.NonNull(graphene.List(graphene.NonNull(StageCount)))
    columns = graphene.NonNull(
        graphene.List(graphene.NonNull(LabelCount)),
        description="Counts under the preset's labels, in funnel order.",
    )
