"""The journey sections of the demo's report: stages, the last 30 days, totals."""

from collections.abc import Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

from example_store.simulation import SimulationSummary
from saleor_journey_plugin.core.host import get_host
from saleor_journey_plugin.core.presets import Language, preset_columns
from saleor_journey_plugin.core.queries import stage_counts
from saleor_journey_plugin.models import Journey, JourneyEvent
from saleor_journey_plugin.reports import Period, compute_funnel, compute_kpis

from .text import money_or_none, money_text, pad, percent, width

Write = Callable[[str], None]
LANGUAGES = {Language.EN: "English", Language.KO: "Korean"}
BAR_WIDTH = 30


def channel_table(write: Write, channel: str, summary: SimulationSummary) -> None:
    """The channel's stages in its preset's labels, with its shoppers and orders."""
    settings = get_host().channel_settings(channel)
    if settings is None:
        return
    language = settings.language
    write(
        f"{channel}: preset {settings.preset}, "
        f"{LANGUAGES.get(language, language)} labels, "
        f"lapse after {settings.lapse_after_days} days"
    )
    counts = stage_counts(channel)
    total = sum(counts.values())
    rows = []
    for label, stages in preset_columns(settings.preset, language):
        count = sum(counts[stage] for stage in stages)
        if len(stages) == 1:
            covers = stages[0].value
        else:
            covers = " + ".join(f"{stage.value} {counts[stage]}" for stage in stages)
        rows.append((label, covers, count))
    label_width = max(width(label) for label in ["Stage", *(r[0] for r in rows)])
    covers_width = max(len(covers) for covers in ["Canonical", *(r[1] for r in rows)])
    peak = max(count for _, _, count in rows)
    write(
        f"  {pad('Stage', label_width)}  {'Canonical'.ljust(covers_width)}"
        f"  {'Journeys':>8}  {'Share':>6}"
    )
    for label, covers, count in rows:
        share = 100 * count / total if total else 0.0
        bar = "█" * round(BAR_WIDTH * count / peak) if peak else ""
        write(
            f"  {pad(label, label_width)}  {covers.ljust(covers_width)}"
            f"  {count:>8}  {share:>5.1f}%  {bar}".rstrip()
        )
    write(f"  {pad('Total', label_width)}  {''.ljust(covers_width)}  {total:>8}")
    elsewhere = (
        Journey.objects.filter(channel=channel)
        .exclude(customer__events__channel=channel)
        .count()
    )
    if elsewhere:
        # A channel that counts new accounts gives every new account a journey.
        write(
            f"  ({elsewhere} of them only through an account created in "
            "another channel)"
        )
    result = summary.channels.get(channel)
    if result is not None:
        money = money_text(result.revenue, result.currency)
        write(
            f"  {result.shoppers} shoppers, {result.orders_placed} orders "
            f"({result.orders_paid} paid, {money}), "
            f"{result.lapses} lapsed, {result.win_backs} won back"
        )


def last_30_days(write: Write, channel: str, summary: SimulationSummary) -> None:
    """The KPI tiles and the funnel of the map page, as text."""
    settings = get_host().channel_settings(channel)
    if settings is None:
        return
    zone = ZoneInfo(settings.time_zone)
    last_day = (summary.end - timedelta(seconds=1)).astimezone(zone).date()
    period = Period(
        last_day - timedelta(days=29),
        last_day + timedelta(days=1),
        settings.time_zone,
    )
    kpis = compute_kpis(channel, period, currency=settings.currency)
    write(
        f"  Last 30 days ({period.start:%b %d} to {last_day:%b %d}, "
        f"{settings.time_zone}): {kpis.active_customers} active customers, "
        f"{kpis.orders} orders, revenue {money_or_none(kpis.revenue)}"
    )
    write(
        f"    conversion {percent(kpis.conversion_rate)}, cart abandonment "
        f"{percent(kpis.cart_abandonment_rate)} "
        f"({kpis.checkouts_started - kpis.checkouts_converted} of "
        f"{kpis.checkouts_started} checkouts), AOV "
        f"{money_or_none(kpis.average_order_value)}"
    )
    write(
        f"    returning customers {percent(kpis.returning_customer_rate)}, "
        f"CSAT {percent(kpis.csat)} ({kpis.reviews} reviews)"
    )
    funnel = compute_funnel(
        channel, period, preset=settings.preset, language=settings.language
    )
    steps = " > ".join(f"{step.label} {step.customers}" for step in funnel.steps)
    write(f"    funnel of the {funnel.entered} who entered it: {steps}")


def totals(write: Write, summary: SimulationSummary, store_emails: bool) -> None:
    """What the simulation did; without ``store_emails``, the campaigns' emails
    replaced the store's own reminders and win-back emails."""
    others = JourneyEvent.objects.count() - summary.events_recorded
    write(
        f"{summary.events_recorded:,} events recorded in {summary.seconds:.1f} s"
        + (
            f" (and {others:,} by the campaigns and the review webhook)"
            if others > 0
            else ""
        )
        + "; "
        f"{summary.orders_placed} orders ({summary.orders_paid} paid, "
        f"{summary.orders_cancelled} cancelled, {summary.orders_refunded} "
        f"refunded), {summary.reviews} reviews, {summary.checkouts_abandoned} "
        "abandoned checkouts."
    )
    write(
        f"{summary.accounts_created} accounts ({summary.guests_registered} "
        f"claimed a guest history, {summary.email_changes} merged one after an "
        "email change); "
        f"{summary.lapse_checks} weekly lapse checks: {summary.lapses} lapses, "
        + (f"{summary.win_back_emails} win-back emails, " if store_emails else "")
        + f"{summary.win_backs} win-backs."
    )
