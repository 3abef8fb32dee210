"""``journey_app_channel <saleor-api-url> <channel-slug> [field=value ...]``:
turn the journey on in a tenant's channel, with the plugin's configuration
fields (the same names, defaults and validation) and ``currency=<ISO code>``
(the channel's, as Saleor has it). ``--off`` turns it off.

Until the Dashboard's configuration page does it, this is how a channel is
enabled; webhooks of channels that are not on record nothing.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from saleor_journey_plugin import configuration

from ....host import dashboard_fields
from ...models import Tenant, normalize_api_url


class Command(BaseCommand):
    help = "Turn the journey on (or off) in a channel of an installed Saleor."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("saleor_api_url")
        parser.add_argument("channel")
        parser.add_argument("fields", nargs="*", help="name=value")
        parser.add_argument("--off", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        api_url = normalize_api_url(options["saleor_api_url"])
        tenant = Tenant.objects.filter(saleor_api_url=api_url).first()
        if tenant is None:
            raise CommandError(f"No Saleor at {api_url or '?'} installed the app.")
        channel = options["channel"]
        if options["off"]:
            tenant.channels.pop(channel, None)
            tenant.save(update_fields=["channels"])
            self.stdout.write(f"Journey off in {channel}")
            return
        fields = dict(tenant.channels.get(channel) or {})
        for item in options["fields"]:
            name, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"Write fields as name=value, not {item!r}.")
            fields[name] = value
        known = {field.name for field in configuration.fields()}
        unknown = set(dashboard_fields(fields)) - known
        if unknown:
            raise CommandError(f"Unknown fields: {', '.join(sorted(unknown))}")
        problems = configuration.errors(dashboard_fields(fields))
        if problems:
            raise CommandError(
                "; ".join(f"{name}: {message}" for name, message in problems.items())
            )
        tenant.channels[channel] = fields
        tenant.save(update_fields=["channels"])
        self.stdout.write(f"Journey on in {channel}")
