"""The campaign, review and loyalty sections of the demo's report.

The figures are the plugin's registered ``campaigns``, ``loyalty`` and
``kpis`` reports (what ``journeyReport`` answers) over the simulated period,
beside what the demo saw on the wire: emails received, clicks, and the
webhook's answers.
"""

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from saleor_journey_plugin.campaigns.report import CampaignFigures, CampaignReport
from saleor_journey_plugin.core.host import get_host
from saleor_journey_plugin.loyalty.report import LoyaltyReport
from saleor_journey_plugin.reports import Period, runner
from saleor_journey_plugin.reviews.models import Review

from .campaigns import CampaignActivity
from .mail import Mailbox
from .reviews import ReviewDeliveries
from .text import money_or_none, pad, percent, plural, width

Write = Callable[[str], None]
COLUMNS = ("Sent", "Clicked", "Recovered orders", "Revenue", "Discount cost", "ROI")


def simulated_period(channel: str, start: datetime, end: datetime) -> Period:
    """The calendar days of the simulation in the channel's time zone."""
    settings = get_host().channel_settings(channel)
    time_zone = settings.time_zone if settings else "UTC"
    zone = ZoneInfo(time_zone)
    last = (end - timedelta(seconds=1)).astimezone(zone).date()
    return Period(start.astimezone(zone).date(), last + timedelta(days=1), time_zone)


def campaigns_section(
    write: Write,
    channels: Sequence[str],
    start: datetime,
    end: datetime,
    activity: CampaignActivity,
    mailbox: Mailbox,
) -> None:
    write(f"Campaigns, {start:%b %d} to {(end - timedelta(seconds=1)):%b %d}")
    sent = 0
    for channel in channels:
        settings = get_host().channel_settings(channel)
        period = simulated_period(channel, start, end)
        report: CampaignReport = runner("campaigns")(
            channel, period, currency=settings.currency if settings else None
        )
        sent += report.totals.sent
        write(f"  {channel}")
        _campaign_table(write, report)
        totals = report.totals
        write(
            f"    {totals.reminded_checkouts} abandoned checkouts reminded, "
            f"{totals.recovered_checkouts} of them recovered "
            f"({percent(totals.recovery_rate)})"
        )
    clicks = activity.clicks
    answers = ", ".join(
        f"{n} answered {status}" for status, n in sorted(clicks.items())
    )
    received = (
        f", {len(mailbox.messages)} received there" if mailbox.kind == "smtp" else ""
    )
    write(
        f"  Emails: {sent} sent by {activity.sweeps} sweeps "
        f"(every 6 simulated hours) to {mailbox.where}{received}."
    )
    write(
        f"  Clicks: {sum(clicks.values())} through the store's click redirect "
        f"({answers or 'none'}); then "
        f"{plural(activity.resumed_checkouts, 'checkout')} completed, "
        f"{plural(activity.return_visits, 'lapsed customer')} came back, "
        f"{plural(activity.reviews_written, 'review')} written."
    )


def _campaign_table(write: Write, report: CampaignReport) -> None:
    rows = [(kind.kind.label, _cells(kind.totals)) for kind in report.kinds] + [
        ("All campaigns", _cells(report.totals))
    ]
    label_width = max(width(label) for label, _ in rows)
    sizes = [
        max(len(name), *(len(cells[i]) for _, cells in rows))
        for i, name in enumerate(COLUMNS)
    ]
    write(
        f"    {pad('', label_width)}  "
        + "  ".join(name.rjust(size) for name, size in zip(COLUMNS, sizes, strict=True))
    )
    for label, cells in rows:
        write(
            f"    {pad(label, label_width)}  "
            + "  ".join(
                cell.rjust(size) for cell, size in zip(cells, sizes, strict=True)
            )
        )


def _cells(figures: CampaignFigures) -> list[str]:
    return [
        str(figures.sent),
        str(figures.clicked),
        str(figures.recovered_orders),
        money_or_none(figures.recovered_revenue),
        money_or_none(figures.discount_cost),
        _roi(figures.roi),
    ]


def _roi(roi: Decimal | None) -> str:
    return "n/a" if roi is None else f"{roi * 100:,.0f}%"


def loyalty_section(
    write: Write,
    channels: Sequence[str],
    start: datetime,
    end: datetime,
    deliveries: ReviewDeliveries,
) -> None:
    write(f"Reviews and loyalty, {start:%b %d} to {(end - timedelta(seconds=1)):%b %d}")
    for channel in channels:
        settings = get_host().channel_settings(channel)
        currency = settings.currency if settings else None
        period = simulated_period(channel, start, end)
        kpis = runner("kpis")(channel, period, currency=currency)
        loyalty: LoyaltyReport = runner("loyalty")(channel, period, currency=currency)
        webhook = Review.objects.filter(channel=channel)
        verified = webhook.filter(verified=True).count()
        write(
            f"  {channel}: CSAT {percent(kpis.csat)} over "
            f"{plural(kpis.reviews, 'review')} ({webhook.count()} through the "
            f"webhook, {plural(verified, 'verified purchase')})"
        )
        write(
            f"    Points: issued {loyalty.issued:,}, redeemed {loyalty.redeemed:,}, "
            f"expired {loyalty.expired:,}, taken back by refunds "
            f"{loyalty.reversed:,}; outstanding {loyalty.outstanding:,} "
            f"({money_or_none(loyalty.outstanding_value)})"
        )
        tiers = ", ".join(f"{tier.name} {tier.members}" for tier in loyalty.tiers)
        write(f"    Members: {loyalty.members} ({tiers})")
    accepted = sum(deliveries.accepted.values())
    statuses = ", ".join(
        f"{n} {status}" for status, n in sorted(deliveries.accepted.items())
    )
    count = plural(accepted, "signed delivery", "signed deliveries")
    write(
        f"  Review webhook: {count} accepted ({statuses or 'none'}), "
        f"{plural(deliveries.verified, 'verified purchase')}."
    )
    if deliveries.forged:
        forged = ", ".join(f"{what} {status}" for what, status, _ in deliveries.forged)
        count = plural(len(deliveries.forged), "forged delivery", "forged deliveries")
        write(f"    {count} refused: {forged}.")
    for status, answer in deliveries.redelivered:
        write(
            f"    The first delivery sent again with its webhook-id: {status} "
            f'"{answer}", stored once.'
        )
    if deliveries.refused:
        refused = ", ".join(
            f"{n} got {status}" for status, n in sorted(deliveries.refused.items())
        )
        write(f"    Genuine deliveries refused: {refused}.")
