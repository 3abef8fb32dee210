import base64
import binascii

from ..core import queries
from ..core.presets import preset_columns, stage_label
from ..core.stages import Stage
from ..models import Journey, JourneyEvent, StageTransition
from .errors import InvalidArgument

MAX_PAGE = 100
_CURSOR_PREFIX = "journey:"


def check_page_size(first: int, argument: str = "first") -> None:
    if not 1 <= first <= MAX_PAGE:
        raise InvalidArgument(
            f"'{argument}' must be between 1 and {MAX_PAGE}, got {first}.",
            field=argument,
        )


def encode_cursor(journey_id: int) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{journey_id}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        if text.startswith(_CURSOR_PREFIX):
            return int(text.removeprefix(_CURSOR_PREFIX))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise InvalidArgument("'after' is not a cursor this API returned.", field="after")


def resolve_my_journey(info) -> Journey | None:
    viewer = info.context.viewer
    customer = queries.find_customer(user_id=viewer.user_id)
    return queries.journey_of(customer, info.context.channel)


def resolve_customer_journey(
    info, email: str | None, user_id: str | None
) -> Journey | None:
    if bool(email) == bool(user_id):
        raise InvalidArgument(
            "Give exactly one of 'email' and 'userId'.", field="email"
        )
    customer = queries.find_customer(user_id=user_id or "", email=email or "")
    return queries.journey_of(customer, info.context.channel)


def resolve_customers(info, stage: str | None, first: int, after: str | None):
    from .types import JourneyConnection, JourneyEdge, JourneyPageInfo

    check_page_size(first)
    after_id = decode_cursor(after) if after else None
    page, has_next = queries.journeys_in_stage(
        info.context.channel, Stage(stage) if stage else None, first, after_id
    )
    edges = [JourneyEdge(node=j, cursor=encode_cursor(j.pk)) for j in page]
    return JourneyConnection(
        edges=edges,
        page_info=JourneyPageInfo(
            has_next_page=has_next, end_cursor=edges[-1].cursor if edges else None
        ),
    )


def resolve_stage_distribution(info, language: str | None):
    from .types import LabelCount, StageCount, StageDistribution

    context = info.context
    preset, lang = context.settings.preset, context.language(language)
    counts = queries.stage_counts(context.channel)
    return StageDistribution(
        preset=preset,
        total=sum(counts.values()),
        stages=[
            StageCount(
                stage=s.value, label=stage_label(s, preset, lang), count=counts[s]
            )
            for s in Stage
        ],
        columns=[
            LabelCount(
                label=label,
                stages=[s.value for s in stages],
                count=sum(counts[s] for s in stages),
            )
            for label, stages in preset_columns(preset, lang)
        ],
    )


def resolve_history(journey: Journey) -> list[StageTransition]:
    return list(
        journey.transitions.select_related("event").order_by("occurred_at", "id")
    )


def resolve_touchpoints(
    journey: Journey, first: int, pain_only: bool
) -> list[JourneyEvent]:
    check_page_size(first)
    return queries.touchpoints(journey, first, pain_only=pain_only)
