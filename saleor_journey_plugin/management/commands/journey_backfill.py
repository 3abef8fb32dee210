"""``journey_backfill``: record the store's past as journey events.

The host reads its own records (``Host.history``); the core records them with
the live hooks' idempotency keys, applies them and puts journeys in time order
(``core.backfill``). Safe to run twice and while the store is live.
"""

import operator
from datetime import UTC, datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from saleor_journey_plugin.core.backfill import BATCH_SIZE, Progress, backfill
from saleor_journey_plugin.core.host import get_host

INTERRUPTED = 130  # as a shell reports a command stopped by Ctrl-C


def parse_since(value: str) -> datetime:
    """A date (midnight UTC) or an ISO date-time (UTC unless it says otherwise)."""
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value)
        if day is None:
            raise ValueError(value)
        moment = datetime.combine(day, time.min)
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=UTC)
    return moment


class Command(BaseCommand):
    help = (
        "Record the store's history (accounts, checkouts, orders, payments, "
        "fulfilments, cancellations, refunds) as journey events. Safe to re-run "
        "and to run while the store is live: what is already recorded is skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--channel",
            help="Only this channel's checkouts and orders (default: every channel "
            "with the journey on). Accounts are not tied to a channel and are "
            "always included.",
        )
        parser.add_argument(
            "--since",
            help="Only what happened on or after this date (YYYY-MM-DD, midnight "
            "UTC) or date-time (ISO 8601).",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=BATCH_SIZE,
            help=f"Events recorded per transaction (default {BATCH_SIZE}).",
        )

    def handle(self, *args, channel=None, since=None, batch_size=BATCH_SIZE, **opts):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        try:
            since_at = parse_since(since) if since else None
        except ValueError as error:
            raise CommandError(
                f"--since {since!r} is not a date (YYYY-MM-DD) or ISO date-time."
            ) from error
        host = get_host()
        if channel and host.channel_settings(channel) is None:
            raise CommandError(
                f"The journey is not enabled in channel {channel!r}: enable it "
                "first, or leave --channel out for every enabled channel."
            )
        with host.writer():
            try:
                events = host.history(channel or None, since_at)
            except NotImplementedError as error:
                raise CommandError(str(error)) from error
            # The raw stream: a progress bar redraws its line, which Django's
            # OutputWrapper would end with a newline each time.
            stream = getattr(self.stdout, "_out", None)
            progress = Progress(operator.length_hint(events, 0), stream)
            summary = backfill(events, batch_size=batch_size, progress=progress)
        for line in summary.lines():
            self.stdout.write(line)
        if summary.interrupted:
            raise SystemExit(INTERRUPTED)
