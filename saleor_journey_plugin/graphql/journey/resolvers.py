from promise import Promise

from ...core import queries
from ...core.presets import Language, preset_columns, stage_label
from ...core.stages import Stage
from ...models import Journey, JourneyEvent, StageTransition
from ..customer_lookup import identified_customer
from ..dataloaders import loader
from ..paging import check_page_size, connection, decode_cursor
from .dataloaders import (
    HistoryLoader,
    StageCountsLoader,
    Touchpoints,
    TouchpointsLoader,
)

CURSOR_KIND = "journey"


def resolve_my_journey(info) -> Journey | None:
    viewer = info.context.viewer
    customer = queries.find_customer(user_id=viewer.user_id)
    return queries.journey_of(customer, info.context.channel)


def resolve_customer_journey(
    info, email: str | None, user_id: str | None
) -> Journey | None:
    customer = identified_customer(email, user_id)
    return queries.journey_of(customer, info.context.channel)


def resolve_customers(info, stage: str | None, first: int, after: str | None):
    check_page_size(first)
    after_id = decode_cursor(CURSOR_KIND, after) if after else None
    page, has_next = queries.journeys_in_stage(
        info.context.channel, Stage(stage) if stage else None, first, after_id
    )
    return connection(page, has_next, CURSOR_KIND)


def resolve_stage_distribution(info, language: str | None) -> Promise:
    context = info.context
    preset, lang = context.settings.preset, context.language(language)
    counts = loader(context, StageCountsLoader).load(context.channel)
    return counts.then(lambda counts: _distribution(counts, preset, lang))


def _distribution(counts: dict[Stage, int], preset: str, lang: Language) -> dict:
    # StageDistribution's fields, as the keys its default resolvers read.
    return {
        "preset": preset,
        "total": sum(counts.values()),
        "stages": [
            {
                "stage": s.value,
                "label": stage_label(s, preset, lang),
                "count": counts[s],
            }
            for s in Stage
        ],
        "columns": [
            {
                "label": label,
                "stages": [s.value for s in stages],
                "count": sum(counts[s] for s in stages),
            }
            for label, stages in preset_columns(preset, lang)
        ],
    }


def resolve_history(info, journey: Journey) -> "Promise[list[StageTransition]]":
    return loader(info.context, HistoryLoader).load(journey.pk)


def resolve_touchpoints(
    info, journey: Journey, first: int, pain_only: bool
) -> "Promise[list[JourneyEvent]]":
    check_page_size(first)
    key = Touchpoints(journey.customer_id, journey.channel, first, pain_only)
    return loader(info.context, TouchpointsLoader).load(key)
