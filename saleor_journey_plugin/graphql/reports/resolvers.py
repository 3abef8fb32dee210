"""``journeyReport``: the store reports (``saleor_journey_plugin.reports``) for the
endpoint's channel.

``resolve_journey_report`` checks the period and every argument the query gives
the reports, then returns a ``ReportScope``; nothing is computed yet. Each
report field then loads its own report (``dataloaders``), so a query computes
only the reports it selects, and the answers here only reshape the reports'
results for the schema (labels, seconds, lists of counts): every figure is the
report's own.
"""

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from graphql.execution.values import get_argument_values
from graphql.language.ast import Field, FragmentSpread, InlineFragment
from promise import Promise

from ...campaigns.report import CampaignReport
from ...core.host import ChannelSettings
from ...core.presets import DEFAULT_PRESET, stage_label
from ...loyalty.report import LoyaltyReport
from ...loyalty.settings import LoyaltySettings
from ...reports import Period
from ...reports.cohorts import MAX_MONTHS
from ...reports.journey_map import MAX_TOP
from ...reports.orders import report_currency
from ...reports.period import MAX_DAYS
from ...reports.results import (
    CohortRetention,
    Funnel,
    FunnelStep,
    JourneyMap,
    Kpis,
    TimeInStage,
)
from ..dataloaders import loader
from ..errors import InvalidArgument
from .dataloaders import ReportLoader, report_key
from .enums import PRESET

# Arguments of JourneyReport's fields with a range: (lowest, highest).
RANGES = {("cohorts", "months"): (1, MAX_MONTHS), ("map", "top"): (1, MAX_TOP)}


@dataclass(frozen=True)
class ReportScope:
    """What one ``journeyReport`` is about: the channel, its settings, the period."""

    channel: str
    settings: ChannelSettings
    period: Period


def resolve_journey_report(info, start: date, end: date) -> ReportScope:
    context = info.context
    period = _period(start, end, context.settings.time_zone)
    # Every report's arguments before any report runs: a bad one stops them all.
    _check_report_arguments(info)
    return ReportScope(
        channel=context.channel, settings=context.settings, period=period
    )


def _period(start: date, end: date, time_zone: str) -> Period:
    if end <= start:
        raise InvalidArgument(
            f"'to' ({end}) must be a later day than 'from' ({start}): a report "
            "covers the days from 'from' up to, not including, 'to'.",
            field="to",
        )
    if (end - start).days > MAX_DAYS:
        raise InvalidArgument(
            f"'to' is {(end - start).days} days after 'from'; a report covers at "
            f"most {MAX_DAYS} days (3 years).",
            field="to",
        )
    try:
        return Period(start, end, time_zone)
    except ValueError as error:  # a day the time zone cannot reach (year 1 or 9999)
        raise InvalidArgument(str(error).replace("`", "'"), field="from") from None


def _check_report_arguments(info) -> None:
    report_type = info.return_type
    for node in _selected(info.field_asts, info.fragments):
        definition = report_type.fields.get(node.name.value)
        if definition is None or not definition.args:
            continue
        values = get_argument_values(
            definition.args, node.arguments, info.variable_values
        )
        for argument, value in values.items():
            limits = RANGES.get((node.name.value, argument))
            if limits and not limits[0] <= value <= limits[1]:
                raise InvalidArgument(
                    f"'{argument}' must be from {limits[0]} to {limits[1]}, "
                    f"got {value}.",
                    field=argument,
                )


def _selected(fields: list[Field], fragments: Mapping[str, Any]) -> Iterator[Field]:
    """The fields selected directly under ``fields``, through fragments too."""
    for field in fields:
        yield from _in_selection_set(field.selection_set, fragments)


def _in_selection_set(selection_set, fragments: Mapping[str, Any]) -> Iterator[Field]:
    for selection in selection_set.selections if selection_set else ():
        if isinstance(selection, Field):
            yield selection
        elif isinstance(selection, FragmentSpread):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                yield from _in_selection_set(fragment.selection_set, fragments)
        elif isinstance(selection, InlineFragment):
            yield from _in_selection_set(selection.selection_set, fragments)


def _load(info, scope: ReportScope, name: str, **options: Any) -> Promise:
    key = report_key(name, scope.channel, scope.period, **options)
    return loader(info.context, ReportLoader).load(key)


def resolve_currency(scope: ReportScope) -> str | None:
    """The channel's currency; without one, that of its latest order (or None)."""
    return report_currency(scope.channel, scope.settings.currency)


def resolve_kpis(info, scope: ReportScope) -> "Promise[Kpis]":
    return _load(info, scope, "kpis", currency=scope.settings.currency)


def resolve_funnel(
    info, scope: ReportScope, view: str, language: str | None
) -> Promise:
    lang = info.context.language(language)
    if view == PRESET:
        found = _load(
            info, scope, "funnel", preset=scope.settings.preset, language=lang.value
        )
        return found.then(lambda funnel: _funnel(funnel, view, lambda step: step.label))
    # The canonical funnel does not depend on labels: one computation serves
    # every language, labelled here with the standard preset's names.
    found = _load(info, scope, "funnel")
    return found.then(
        lambda funnel: _funnel(
            funnel, view, lambda step: stage_label(step.stages[0], DEFAULT_PRESET, lang)
        )
    )


def _funnel(funnel: Funnel, view: str, label: Callable[[FunnelStep], str]) -> dict:
    return {
        "view": view,
        "entered": funnel.entered,
        "steps": [
            {
                "label": label(step),
                "stages": [stage.value for stage in step.stages],
                "customers": step.customers,
                "conversion_from_previous": step.conversion_from_previous,
                "conversion_from_first": step.conversion_from_first,
                "drop_off": step.drop_off,
                "median_seconds_from_previous": _seconds(
                    step.median_time_from_previous
                ),
            }
            for step in funnel.steps
        ],
    }


def resolve_time_in_stage(info, scope: ReportScope) -> Promise:
    preset, language = scope.settings.preset, scope.settings.language

    def answer(report: TimeInStage) -> dict:
        return {
            "stages": [
                {
                    "stage": row.stage.value,
                    "label": stage_label(row.stage, preset, language),
                    "left": row.left.count,
                    "median_seconds": _seconds(row.left.median),
                    "p90_seconds": _seconds(row.left.p90),
                    "current": row.current,
                    "current_median_age_seconds": _seconds(row.current_median_age),
                }
                for row in report.stages
            ]
        }

    return _load(info, scope, "time_in_stage").then(answer)


def resolve_cohorts(
    info, scope: ReportScope, months: int
) -> "Promise[CohortRetention]":
    # CohortRetention, Cohort and CohortCell have the schema's field names.
    return _load(info, scope, "cohorts", months=months)


def resolve_map(info, scope: ReportScope, top: int, language: str | None) -> Promise:
    preset, lang = scope.settings.preset, info.context.language(language)

    def answer(report: JourneyMap) -> dict:
        return {
            "stages": [
                {
                    "stage": column.stage.value if column.stage else None,
                    "label": (
                        stage_label(column.stage, preset, lang)
                        if column.stage
                        else None
                    ),
                    "touchpoints": column.touchpoints,
                    "by_type": _counts(column.by_type.items()),
                    "by_touch_channel": _counts(column.by_touch_channel.items()),
                    "top_utm_sources": _counts(column.top_utm_sources),
                    "top_utm_campaigns": _counts(column.top_utm_campaigns),
                    "pain_points": _counts(column.pain_points.items()),
                    "emotions": column.emotions,
                }
                for column in report.stages
            ]
        }

    return _load(info, scope, "journey_map", top=top).then(answer)


def resolve_series(info, scope: ReportScope, interval: str) -> Promise:
    # Bucket has the schema's field names; the schema's interval is upper case.
    return _load(
        info,
        scope,
        "series",
        interval=interval.lower(),
        currency=scope.settings.currency,
    ).then(lambda series: {"interval": interval, "buckets": series.buckets})


def resolve_campaigns(info, scope: ReportScope) -> Promise:
    # The report's dataclasses have the schema's field names; kinds are values.
    def answer(report: CampaignReport) -> dict:
        return {
            "totals": report.totals,
            "kinds": [
                {"kind": row.kind.value, "totals": row.totals, "steps": row.steps}
                for row in report.kinds
            ],
        }

    return _load(info, scope, "campaigns", currency=scope.settings.currency).then(
        answer
    )


def resolve_loyalty(info, scope: ReportScope) -> "Promise[LoyaltyReport]":
    # LoyaltyReport and TierMembers have the schema's field names.
    return _load(
        info,
        scope,
        "loyalty",
        currency=scope.settings.currency,
        settings=scope.settings.loyalty or LoyaltySettings(),
    )


def _counts(pairs) -> list[dict]:
    return [{"key": key, "count": count} for key, count in pairs]


def _seconds(duration: timedelta | None) -> float | None:
    return None if duration is None else duration.total_seconds()
