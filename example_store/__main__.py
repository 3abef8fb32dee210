"""``python -m example_store <command>``: Django's manage.py for the example store."""

import os
import sys

from django.core.management import execute_from_command_line

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example_store.settings")
    execute_from_command_line(["example_store", *sys.argv[1:]])
