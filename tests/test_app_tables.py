"""Django knows every table of the plugin, whichever package keeps it."""

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_the_migrations_describe_exactly_the_tables_django_loads():
    # The capabilities' tables are loaded by ``apps.py``, not by the models
    # module: one left out would look deleted to makemigrations (exit 1).
    call_command(
        "makemigrations", "saleor_journey_plugin", check=True, dry_run=True, verbosity=0
    )
