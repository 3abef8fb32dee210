"""``journey_app_migrate``: create the database if missing, migrate the shared
schema, then every tenant's (run it after each deploy, before serving)."""

from typing import Any

import psycopg
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from psycopg import sql

from ...schemas import migrate_all


class Command(BaseCommand):
    help = "Create the app's database if needed and migrate it and every tenant."

    def handle(self, *args: Any, **options: Any) -> None:
        self._create_database()
        call_command("migrate", verbosity=options["verbosity"])
        count = migrate_all()
        self.stdout.write(f"{count} tenant schema(s) up to date")

    def _create_database(self) -> None:
        params = connection.get_connection_params()
        name = params.pop("dbname")
        params.pop("context", None)
        params.pop("cursor_factory", None)
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            found = admin.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [name]
            ).fetchone()
            if found is None:
                admin.execute(
                    sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
                )
                self.stdout.write(f"Created database {name}")
