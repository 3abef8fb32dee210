"""The migrations, replayed from zero, build the schema the code defines.

The tallies' trigger functions, triggers and the duration bucket's function and
indexes are SQL the code writes (``reports/rollups/tallies``), and each
migration that installs them carries its own frozen copy: replaying an old
migration installs what it installed then. These tests build a database of
their own from nothing and compare it with what the code would install, so a
change to that SQL without a migration that installs it fails here.
"""

import inspect
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from saleor_journey_plugin.reports.rollups.tallies import SCHEMA, TALLIES

APP = "saleor_journey_plugin"
REPLAY = "replay"
# The bucket function and its two indexes; each tally's function and triggers.
INSTALLED = 1 + 2 + len(TALLIES) * (1 + 3)
NEW_MIGRATION = (
    "The SQL of reports/rollups/tallies differs from what the migrations "
    "install: add a migration that installs the new SQL, frozen in it as "
    "0019_stage_tallies.py does (print the code's SQL with `from "
    "saleor_journey_plugin.reports.rollups.tallies import SCHEMA`)."
)


@pytest.fixture
def fresh_database(django_db_blocker) -> Iterator[BaseDatabaseWrapper]:
    """A connection to a new, empty database of its own.

    Not the test database, and outside any test transaction: migrations
    commit as they go.
    """
    with django_db_blocker.unblock(), new_database() as database:
        yield database


@contextmanager
def new_database() -> Iterator[BaseDatabaseWrapper]:
    settings = connection.settings_dict
    name = f"{settings['NAME']}_replay"
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    # The migration executor finds its connection by alias.
    connections.settings[REPLAY] = {**settings, "NAME": name}
    try:
        yield connections[REPLAY]
    finally:
        connections[REPLAY].close()
        del connections[REPLAY]
        del connections.settings[REPLAY]
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


def migrate(database: BaseDatabaseWrapper, target: str | None = None) -> None:
    """Apply (or unapply) the plugin's migrations up to ``target`` (the last)."""
    executor = MigrationExecutor(database)
    if target is None:
        (target,) = (
            name for app, name in executor.loader.graph.leaf_nodes() if app == APP
        )
    executor.migrate([(APP, target)])


def objects(database: BaseDatabaseWrapper) -> dict[str, str]:
    """The plugin's functions, the triggers and the indexes on its functions,
    as the database itself prints them (whitespace folded: a frozen copy may
    lay its SQL out otherwise)."""
    with database.cursor() as cursor:
        cursor.execute(
            "SELECT 'function ' || p.proname, pg_get_functiondef(p.oid) "
            "FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace "
            "WHERE n.nspname = current_schema() AND p.proname LIKE 'journey%' "
            "UNION ALL "
            "SELECT 'trigger ' || t.tgname, pg_get_triggerdef(t.oid) "
            "FROM pg_trigger AS t WHERE NOT t.tgisinternal "
            "UNION ALL "
            "SELECT DISTINCT 'index ' || i.relname, pg_get_indexdef(i.oid) "
            "FROM pg_class AS i JOIN pg_depend AS d ON d.objid = i.oid "
            "AND d.classid = 'pg_class'::regclass "
            "AND d.refclassid = 'pg_proc'::regclass "
            "JOIN pg_proc AS p ON p.oid = d.refobjid WHERE p.proname LIKE 'journey%'"
        )
        return {name: " ".join(definition.split()) for name, definition in cursor}


def code_objects(database: BaseDatabaseWrapper) -> dict[str, str]:
    """What the code's ``SCHEMA`` installs in place of the migrations' own,
    taken back afterwards."""
    with database.cursor() as cursor:
        cursor.execute("BEGIN")
        try:
            for name in objects(database):
                if name.startswith("function "):
                    cursor.execute(f"DROP FUNCTION {name.split()[1]} CASCADE")
            for statement in SCHEMA:
                cursor.execute(statement)
            return objects(database)
        finally:
            cursor.execute("ROLLBACK")


def test_the_migrations_from_zero_install_the_tallies_the_code_defines(
    fresh_database,
):
    # given
    migrate(fresh_database)

    # when
    installed = objects(fresh_database)
    defined = code_objects(fresh_database)

    # then: every tally has its function and three triggers, and they are
    # the code's, as is the bucket function with its two indexes
    assert len(installed) == INSTALLED == 39
    assert sorted(installed) == sorted(defined), NEW_MIGRATION
    differing = [name for name in installed if installed[name] != defined[name]]
    assert differing == [], NEW_MIGRATION


def test_unapplying_the_tally_migrations_removes_what_they_installed(
    fresh_database,
):
    # given
    migrate(fresh_database)

    # when: back to before the first tally
    migrate(fresh_database, "0006_rollups")

    # then
    assert objects(fresh_database) == {}

    # and when: forward again
    migrate(fresh_database)

    # then
    assert len(objects(fresh_database)) == INSTALLED


def test_replaying_the_tally_migrations_sums_the_rows_already_there(
    fresh_database,
):
    # given: a store's orders from before the tallies
    migrate(fresh_database, "0006_rollups")
    with fresh_database.cursor() as cursor:
        cursor.execute(
            "INSERT INTO journey_rollup_order (event_id, channel, customer_id, "
            "placed_at, currency, total, ordinal) VALUES "
            "(1, 'web', 7, '2026-01-05 10:00+00', 'USD', 10.005, 1), "
            "(2, 'web', 7, '2026-01-06 10:00+00', 'USD', 5.5, 2), "
            "(3, 'web', NULL, '2026-01-06 11:00+00', 'KRW', 1200.4, NULL)"
        )

    # when
    migrate(fresh_database)

    # then: the all-time totals hold them, each order rounded to its currency
    with fresh_database.cursor() as cursor:
        cursor.execute(
            "SELECT channel, currency, first_orders, second_orders, sales, "
            "cancelled_sales FROM journey_rollup_order_total ORDER BY currency"
        )
        totals = cursor.fetchall()
    assert totals == [
        ("web", "KRW", 0, 0, Decimal("1200"), Decimal("0")),
        ("web", "USD", 1, 1, Decimal("15.51"), Decimal("0")),
    ]


@pytest.mark.django_db
def test_the_models_need_no_migration_the_migrations_lack():
    # when / then: every model field, index and constraint is in a migration.
    # The capabilities' tables are loaded by ``apps.py``, not by the models
    # module: one left out would look deleted to makemigrations.
    try:
        call_command("makemigrations", APP, check=True, dry_run=True, verbosity=0)
    except SystemExit:
        pytest.fail(f"run `python -m example_store makemigrations {APP}`")


def test_the_migrations_import_nothing_of_the_code():
    # given
    loader = MigrationLoader(None, ignore_no_migrations=True)

    # when
    sources = {
        name: inspect.getsource(sys.modules[migration.__module__])
        for (app, name), migration in loader.disk_migrations.items()
        if app == APP
    }

    # then: what they install stays as it was when they were written
    importing = [name for name, text in sources.items() if f"from {APP}" in text]
    assert importing == []
