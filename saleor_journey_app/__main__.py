"""``python -m saleor_journey_app <command>``: Django's manage.py for the app."""

import os
import sys

from django.core.management import execute_from_command_line

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saleor_journey_app.settings")
    execute_from_command_line(["saleor_journey_app", *sys.argv[1:]])
