"""``journey_rebuild_reports``: refold a channel's report rollups from its events.

Needed after upgrading from a version without rollups (until then those
channels' reports read the event log, exact but slow) and after changing a
channel's ``time_zone`` (the rollups count days in the zone they were built
in; reports in another zone read the event log until the rebuild).
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from saleor_journey_plugin.models import JourneyEvent
from saleor_journey_plugin.reports.rollups.fold import channel_time_zone
from saleor_journey_plugin.reports.rollups.models import RollupChannel
from saleor_journey_plugin.reports.rollups.state import rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the reports' rollups of a channel (or of every channel with "
        "events) from its applied events, in the channel's current time zone. "
        "Holds the journey processors' lock meanwhile: events are still "
        "recorded, and applied when it is done."
    )

    def add_arguments(self, parser):
        parser.add_argument("--channel", help="The channel's slug (default: all).")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "Rollups are kept on PostgreSQL only; this database's reports "
                "read the event log."
            )
        channel = options.get("channel")
        if channel:
            channels = [channel]
        else:
            channels = sorted(
                set(RollupChannel.objects.values_list("channel", flat=True))
                | set(
                    JourneyEvent.objects.exclude(channel="")
                    .values_list("channel", flat=True)
                    .distinct()
                )
            )
        for name in channels:
            zone = channel_time_zone(name)
            started = time.monotonic()
            folded = rebuild(name, zone)
            self.stdout.write(
                f"{name}: {folded:,} events folded, days in {zone}, "
                f"{time.monotonic() - started:.1f} s"
            )
