"""``python -m example_store demo``: simulate the store, print its journey stages."""

import unicodedata
from datetime import timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from example_store.simulation import START, SimulationSummary, simulate
from saleor_journey_plugin.core.host import get_host
from saleor_journey_plugin.core.presets import Language, preset_columns
from saleor_journey_plugin.core.queries import stage_counts
from saleor_journey_plugin.models import Journey, JourneyEvent
from saleor_journey_plugin.reports import Period, compute_funnel, compute_kpis
from saleor_journey_plugin.reports.results import Money

LANGUAGES = {Language.EN: "English", Language.KO: "Korean"}
BAR_WIDTH = 30


class Command(BaseCommand):
    help = (
        "Simulate a few months of the example store through the journey plugin "
        "and print each channel's stage distribution in its preset's labels."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--customers", type=int, default=300, help="shoppers (default 300)"
        )
        parser.add_argument(
            "--days", type=int, default=120, help="simulated days (default 120)"
        )
        parser.add_argument(
            "--seed", type=int, default=7, help="random seed: same seed, same store"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        customers, days, seed = options["customers"], options["days"], options["seed"]
        if customers < 1 or days < 1:
            raise CommandError("--customers and --days must be at least 1.")
        if JourneyEvent.objects.exists():
            raise CommandError(
                "This database already holds journey events; the demo needs a "
                "fresh one (`make demo` starts from an empty SQLite file)."
            )
        _relax_sqlite()
        self.stdout.write(
            f"Simulating {customers} customers over {days} days from "
            f"{START:%Y-%m-%d} (seed {seed})..."
        )
        try:
            summary = simulate(customers=customers, days=days, seed=seed)
        except RuntimeError as error:  # Celery is not eager
            raise CommandError(str(error)) from error
        if summary.unprocessed_events:
            self.stderr.write(
                f"{summary.unprocessed_events} events were not processed; "
                "see the log above."
            )
        for channel in settings.JOURNEY_CHANNELS:
            self.stdout.write("")
            self._channel_table(channel, summary)
            self._last_30_days(channel, summary)
        self.stdout.write("")
        self._totals(summary)
        self.stdout.write("")
        last_day = (summary.end - timedelta(seconds=1)).date()
        days = f"from={last_day - timedelta(days=29)}&to={last_day}"
        self.stdout.write(
            "See it as a journey map: `make serve`, create a staff sign-in with\n"
            "  .venv/bin/python -m example_store journey_staff "
            "--email you@example.com\n"
            f"then open http://127.0.0.1:8000/map/web-usd/?{days} (or /map/web-krw/)."
        )

    def _channel_table(self, channel: str, summary: SimulationSummary) -> None:
        settings = get_host().channel_settings(channel)
        if settings is None:
            return
        language = settings.language
        self.stdout.write(
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
                covers = " + ".join(
                    f"{stage.value} {counts[stage]}" for stage in stages
                )
            rows.append((label, covers, count))
        label_width = max(_width(label) for label in ["Stage", *(r[0] for r in rows)])
        covers_width = max(
            len(covers) for covers in ["Canonical", *(r[1] for r in rows)]
        )
        peak = max(count for _, _, count in rows)
        self.stdout.write(
            f"  {_pad('Stage', label_width)}  {'Canonical'.ljust(covers_width)}"
            f"  {'Journeys':>8}  {'Share':>6}"
        )
        for label, covers, count in rows:
            share = 100 * count / total if total else 0.0
            bar = "█" * round(BAR_WIDTH * count / peak) if peak else ""
            self.stdout.write(
                f"  {_pad(label, label_width)}  {covers.ljust(covers_width)}"
                f"  {count:>8}  {share:>5.1f}%  {bar}".rstrip()
            )
        self.stdout.write(
            f"  {_pad('Total', label_width)}  {''.ljust(covers_width)}  {total:>8}"
        )
        elsewhere = (
            Journey.objects.filter(channel=channel)
            .exclude(customer__events__channel=channel)
            .count()
        )
        if elsewhere:
            # A channel that counts new accounts gives every new account a journey.
            self.stdout.write(
                f"  ({elsewhere} of them only through an account created in "
                "another channel)"
            )
        result = summary.channels.get(channel)
        if result is not None:
            money = _money(result.revenue, result.currency)
            self.stdout.write(
                f"  {result.shoppers} shoppers, {result.orders_placed} orders "
                f"({result.orders_paid} paid, {money}), "
                f"{result.lapses} lapsed, {result.win_backs} won back"
            )

    def _last_30_days(self, channel: str, summary: SimulationSummary) -> None:
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
        self.stdout.write(
            f"  Last 30 days ({period.start:%b %d} to {last_day:%b %d}, "
            f"{settings.time_zone}): {kpis.active_customers} active customers, "
            f"{kpis.orders} orders, revenue {_money_or_none(kpis.revenue)}"
        )
        self.stdout.write(
            f"    conversion {_percent(kpis.conversion_rate)}, cart abandonment "
            f"{_percent(kpis.cart_abandonment_rate)} "
            f"({kpis.checkouts_started - kpis.checkouts_converted} of "
            f"{kpis.checkouts_started} checkouts), AOV "
            f"{_money_or_none(kpis.average_order_value)}"
        )
        self.stdout.write(
            f"    returning customers {_percent(kpis.returning_customer_rate)}, "
            f"CSAT {_percent(kpis.csat)} ({kpis.reviews} reviews)"
        )
        funnel = compute_funnel(
            channel, period, preset=settings.preset, language=settings.language
        )
        steps = " > ".join(f"{step.label} {step.customers}" for step in funnel.steps)
        self.stdout.write(f"    funnel of the {funnel.entered} who entered it: {steps}")

    def _totals(self, summary: SimulationSummary) -> None:
        self.stdout.write(
            f"{summary.events_recorded:,} events recorded in {summary.seconds:.1f} s; "
            f"{summary.orders_placed} orders ({summary.orders_paid} paid, "
            f"{summary.orders_cancelled} cancelled, {summary.orders_refunded} "
            f"refunded), {summary.reviews} reviews, {summary.checkouts_abandoned} "
            "abandoned checkouts."
        )
        self.stdout.write(
            f"{summary.accounts_created} accounts ({summary.guests_registered} "
            f"claimed a guest history, {summary.email_changes} merged one after an "
            "email change); "
            f"{summary.lapse_checks} weekly lapse checks: {summary.lapses} lapses, "
            f"{summary.win_back_emails} win-back emails, {summary.win_backs} win-backs."
        )


def _relax_sqlite() -> None:
    """No fsync, journal in memory: the demo database is thrown away after.

    Every event commits twice (logged, then processed); on disk that is most
    of the run. Both settings last as long as this connection and leave no
    files behind.
    """
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode=MEMORY")
        cursor.execute("PRAGMA synchronous=OFF")


def _width(text: str) -> int:
    """Terminal columns: Hangul and other wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _percent(rate: Decimal | None) -> str:
    return "n/a" if rate is None else f"{rate * 100:.1f}%"


def _money_or_none(money: Money | None) -> str:
    return "n/a" if money is None else _money(money.amount, money.currency)


def _money(amount: Decimal, currency: str) -> str:
    if currency == "KRW":
        return f"KRW {amount:,.0f}"
    return f"{currency} {amount:,.2f}"
