"""``python -m example_store demo``: simulate the store, print what the plugin saw."""

from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from example_store.demo import journeys, report
from example_store.demo.email_files import folder, write_email_files
from example_store.demo.mail import EMAIL_CHOICES, ENVIRONMENT, default_email
from example_store.demo.run import DemoRun, demo_run
from example_store.demo.sqlite import relaxed_sqlite
from example_store.simulation import START
from saleor_journey_plugin.models import JourneyEvent


class Command(BaseCommand):
    help = (
        "Simulate a few months of the example store through the journey plugin, "
        "with its campaigns, reviews and loyalty points on, and print each "
        "channel's stages, campaigns and loyalty."
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
        parser.add_argument(
            "--email",
            choices=EMAIL_CHOICES,
            default=None,
            help=(
                "where campaign emails go: smtp, a mail server the demo starts on "
                "loopback (default), or console, printed by Django's console "
                f"backend; also {ENVIRONMENT}"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        customers, days, seed = options["customers"], options["days"], options["seed"]
        email = options["email"] or default_email()
        if customers < 1 or days < 1:
            raise CommandError("--customers and --days must be at least 1.")
        if email not in EMAIL_CHOICES:
            raise CommandError(
                f"{ENVIRONMENT} must be {' or '.join(EMAIL_CHOICES)}, not {email!r}."
            )
        if JourneyEvent.objects.exists():
            raise CommandError(
                "This database already holds journey events; the demo needs a "
                "fresh one (`make demo` starts from an empty SQLite file)."
            )
        write = self.stdout.write
        write(
            f"Simulating {customers} customers over {days} days from "
            f"{START:%Y-%m-%d} (seed {seed}), campaign emails by {email}..."
        )
        try:
            with (
                relaxed_sqlite(),
                demo_run(customers=customers, days=days, seed=seed, email=email) as run,
            ):
                self._report(run)
        except RuntimeError as error:  # Celery is not eager
            raise CommandError(str(error)) from error
        _check(run)

    def _report(self, run: DemoRun) -> None:
        write = self.stdout.write
        summary = run.summary
        channels = list(settings.JOURNEY_CHANNELS)
        for channel in channels:
            write("")
            journeys.channel_table(write, channel, summary)
            journeys.last_30_days(write, channel, summary)
        write("")
        report.campaigns_section(
            write, channels, summary.start, summary.end, run.campaigns, run.mailbox
        )
        files = write_email_files(run.mailbox, folder())
        if files:
            write("  One email of each kind, as received, to open in a browser:")
            for kind, path in files.items():
                write(f"    {kind}: {_shown(path)}")
        write("")
        report.loyalty_section(write, channels, summary.start, summary.end, run.reviews)
        write("")
        journeys.totals(write, summary, store_emails=False)
        write("")
        last_day = (summary.end - timedelta(seconds=1)).date()
        days = f"from={last_day - timedelta(days=29)}&to={last_day}"
        write(
            "See it as a journey map: `make serve`, create a staff sign-in with\n"
            "  .venv/bin/python -m example_store journey_staff "
            "--email you@example.com\n"
            f"then open http://127.0.0.1:8000/map/web-usd/?{days} (or /map/web-krw/)."
        )


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _check(run: DemoRun) -> None:
    """A run whose work failed is no demo: say so with a failing exit status
    (CI runs ``make demo``), not only in the log above the figures."""
    outcomes = run.campaigns.sweep_outcomes
    failures = outcomes["failed"] + outcomes["retry"]
    problems = []
    if run.summary.unprocessed_events:
        problems.append(f"{run.summary.unprocessed_events} events not processed")
    if failures:
        problems.append(f"{failures} campaign emails failed")
    if problems:
        raise CommandError("; ".join(problems) + " (see the log above).")
