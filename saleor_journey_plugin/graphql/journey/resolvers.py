from promise import Promise

from ..core import queries
from ..core.host import get_host
from ..core.presets import Language, preset_columns, stage_label
from ..core.stages import Stage
from ..models import Customer, Journey, JourneyEvent, StageTransition
from .cursors import decode_cursor, encode_cursor
from .dataloaders import (
    HistoryLoader,
    StageCountsLoader,
    Touchpoints,
    TouchpointsLoader,
    loader,
)
from .errors import InvalidArgument
from .validation import clean_email, clean_text

MAX_PAGE = 100
MAX_USER_ID = 64  # Customer.user_id's length


def check_page_size(first: int, argument: str = "first") -> None:
    if not 1 <= first <= MAX_PAGE:
        raise InvalidArgument(
            f"'{argument}' must be between 1 and {MAX_PAGE}, got {first}.",
            field=argument,
        )


def resolve_my_journey(info) -> Journey | None:
    viewer = info.context.viewer
    customer = queries.find_customer(user_id=viewer.user_id)
    return queries.journey_of(customer, info.context.channel)


def identified_customer(email: str | None, user_id: str | None) -> Customer | None:
    """The customer staff name by exactly one of ``email`` and ``userId``
    (the store's user id in any form its host accepts)."""
    # Checked before any lookup: an over-long or NUL-holding value is the
    # caller's mistake, not a database error.
    email = clean_email(email, "email")
    user_id = clean_text(user_id, "userId", MAX_USER_ID)
    if bool(email) == bool(user_id):
        raise InvalidArgument(
            "Give exactly one of 'email' and 'userId'.", field="email"
        )
    if user_id:
        user_id = get_host().user_id_of(user_id)
    return queries.find_customer(user_id=user_id, email=email)


def resolve_customer_journey(
    info, email: str | None, user_id: str | None
) -> Journey | None:
    customer = identified_customer(email, user_id)
    return queries.journey_of(customer, info.context.channel)


def resolve_customers(info, stage: str | None, first: int, after: str | None):
    from .types import JourneyConnection, JourneyEdge, JourneyPageInfo

    check_page_size(first)
    after_id = decode_cursor("journey", after) if after else None
    page, has_next = queries.journeys_in_stage(
        info.context.channel, Stage(stage) if stage else None, first, after_id
    )
    edges = [JourneyEdge(node=j, cursor=encode_cursor("journey", j.pk)) for j in page]
    return JourneyConnection(
        edges=edges,
        page_info=JourneyPageInfo(
            has_next_page=has_next, end_cursor=edges[-1].cursor if edges else None
        ),
    )


def resolve_stage_distribution(info, language: str | None) -> Promise:
    context = info.context
    preset, lang = context.settings.preset, context.language(language)
    counts = loader(context, StageCountsLoader).load(context.channel)
    return counts.then(lambda counts: _distribution(counts, preset, lang))


def _distribution(counts: dict[Stage, int], preset: str, lang: Language):
    from .types import LabelCount, StageCount, StageDistribution

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


def resolve_history(info, journey: Journey) -> "Promise[list[StageTransition]]":
    return loader(info.context, HistoryLoader).load(journey.pk)


def resolve_touchpoints(
    info, journey: Journey, first: int, pain_only: bool
) -> "Promise[list[JourneyEvent]]":
    check_page_size(first)
    key = Touchpoints(journey.customer_id, journey.channel, first, pain_only)
    return loader(info.context, TouchpointsLoader).load(key)
