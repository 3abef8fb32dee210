"""Compile the campaign emails' MJML sources into the shipped HTML bodies."""

from django.core.management.base import BaseCommand

from ...campaigns.mail.mjml_build import build


class Command(BaseCommand):
    help = (
        "Compile every campaign kind's MJML source into its shipped HTML body "
        "(needs the development dependency mjml-python)."
    )

    def handle(self, *args, **options):
        changed = build()
        for path in changed:
            self.stdout.write(f"wrote {path}")
        self.stdout.write(f"{len(changed)} bodies changed")
