"""``journey_app_backfill <saleor-api-url> [--channel] [--since] [--batch-size]``:
record an installed Saleor's past (accounts, checkouts, orders and their
milestones, read over its GraphQL with the app token) in that tenant, with a
progress bar. The plugin's ``journey_backfill`` run as that tenant: the same
batches, keys, time order and summary; safe to run twice and while webhooks
arrive. How a store moves from the plugin: docs/app.md.
"""

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from ...models import Tenant, normalize_api_url
from ...schemas import activated


class Command(BaseCommand):
    help = (
        "Record an installed Saleor's history as journey events (the plugin's "
        "journey_backfill, over Saleor's GraphQL)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("saleor_api_url")
        parser.add_argument("--channel")
        parser.add_argument("--since")
        parser.add_argument("--batch-size", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        api_url = normalize_api_url(options["saleor_api_url"])
        tenant = Tenant.objects.installed().filter(saleor_api_url=api_url).first()
        if tenant is None:
            raise CommandError(f"No Saleor at {api_url or '?'} has the app installed.")
        passed = {
            name: options[name]
            for name in ("channel", "since", "batch_size")
            if options[name] is not None
        }
        with activated(tenant):
            call_command("journey_backfill", stdout=self.stdout._out, **passed)
