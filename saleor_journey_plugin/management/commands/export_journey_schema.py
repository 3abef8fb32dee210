from pathlib import Path

from django.core.management.base import BaseCommand

from saleor_journey_plugin.graphql.schema import schema


def schema_sdl() -> str:
    return str(schema).strip() + "\n"


class Command(BaseCommand):
    help = "Write the journey GraphQL schema as SDL (default: print it)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="File to write; stdout if omitted.")

    def handle(self, *args, path=None, **options):
        sdl = schema_sdl()
        if path:
            Path(path).write_text(sdl, encoding="utf-8")
            self.stdout.write(f"Wrote {path}")
        else:
            self.stdout.write(sdl, ending="")
