"""``journey_app_erase <saleor-api-url> --yes``: erase the journey data of a
Saleor that uninstalled the app: its schema (customers, events, emails sent,
points, reviews) and its row.

Uninstalling keeps the data, so that a reinstall continues where it stopped;
this is the staff member's way to erase it. It is refused while the app is
installed there (Saleor would go on sending deliveries to a tenant that is
gone): uninstall the app in Saleor first. There is no undo, which ``--yes``
acknowledges.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ...models import Tenant, normalize_api_url
from ...schemas import drop_schema


class Command(BaseCommand):
    help = "Erase the journey data of a Saleor that uninstalled the app."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("saleor_api_url")
        parser.add_argument(
            "--yes", action="store_true", help="Erase it: there is no undo."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        api_url = normalize_api_url(options["saleor_api_url"])
        tenant = Tenant.objects.filter(saleor_api_url=api_url).first()
        if tenant is None:
            raise CommandError(
                f"The app holds no data of a Saleor at {api_url or '?'}."
            )
        if tenant.app_token:
            raise CommandError(
                f"The app is still installed in {api_url}: uninstall it in "
                "Saleor's Dashboard first (Apps), then erase."
            )
        if not options["yes"]:
            raise CommandError(
                f"This erases every customer, event and email of {api_url}, with "
                "no undo. Run again with --yes to erase it."
            )
        with transaction.atomic():
            drop_schema(tenant)
            tenant.delete()
        self.stdout.write(f"Erased the journey data of {api_url}")
