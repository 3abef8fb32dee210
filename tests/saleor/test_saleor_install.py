"""Installing the plugin: discovery by Saleor's settings and Celery app."""

import importlib.metadata
import os
import subprocess
import sys

from saleor.plugins.manager import get_plugins_manager

# The campaign fields are checked in test_saleor_campaigns.py.
from saleor_journey_plugin.campaigns.settings import DEFAULTS as CAMPAIGN_FIELDS
from saleor_journey_plugin.plugin import JourneyPlugin

TASKS = {
    "saleor_journey_plugin.process_pending_events",
    "saleor_journey_plugin.detect_abandoned_checkouts",
    "saleor_journey_plugin.detect_lapsed_customers",
    "saleor_journey_plugin.expire_loyalty_points",
    "saleor_journey_plugin.send_campaign_emails",
    "saleor_journey_plugin.send_opt_in_confirmations",
}
# beat entry -> (task, interval in seconds)
BEAT = {
    "journey-send-campaign-emails": (
        "saleor_journey_plugin.send_campaign_emails",
        5 * 60,
    ),
    "journey-process-pending-events": (
        "saleor_journey_plugin.process_pending_events",
        60,
    ),
    "journey-detect-abandoned-checkouts": (
        "saleor_journey_plugin.detect_abandoned_checkouts",
        15 * 60,
    ),
    "journey-detect-lapsed-customers": (
        "saleor_journey_plugin.detect_lapsed_customers",
        3600,
    ),
    "journey-expire-loyalty-points": (
        "saleor_journey_plugin.expire_loyalty_points",
        24 * 3600,
    ),
    "journey-send-opt-in-confirmations": (
        "saleor_journey_plugin.send_opt_in_confirmations",
        60,
    ),
}


def test_entry_point_is_registered():
    # given the package installed in Saleor's environment
    # when Saleor looks up its plugin entry points
    found = {
        entry.name: entry.value
        for entry in importlib.metadata.entry_points(group="saleor.plugins")
    }

    # then ours is there, pointing at the plugin class
    assert (
        found["saleor_journey_plugin"] == "saleor_journey_plugin.plugin:JourneyPlugin"
    )
    assert found["saleor_journey_plugin"].replace(":", ".") == (
        f"{JourneyPlugin.__module__}.{JourneyPlugin.__name__}"
    )


def test_manager_loads_the_plugin_per_channel(channel_USD):
    # given the plugin in PLUGINS (autouse fixture) and no configuration saved
    manager = get_plugins_manager(allow_replica=False)

    # when the manager loads the channel's plugins
    plugin = manager.get_plugin("saleor.journey", channel_slug=channel_USD.slug)

    # then ours is there, per channel, inactive by default, with its defaults
    assert isinstance(plugin, JourneyPlugin)
    assert plugin.CONFIGURATION_PER_CHANNEL is True
    assert plugin.active is False
    assert {
        item["name"]: item["value"]
        for item in plugin.configuration
        if item["name"] not in CAMPAIGN_FIELDS
    } == {
        "stage_preset": "standard",
        "label_language": "en",
        "lapse_after_days": "90",
        "count_new_accounts": True,
        "time_zone": "UTC",
        "loyalty_enabled": False,
        "points_per_unit": "1",
        "point_value": "0.01",
        "min_redeem_points": "500",
        "review_points": "50",
        "points_expire_days": "365",
        "tiers": "Bronze:0:1, Silver:500:1.25, Gold:1500:1.5",
        "review_webhook_secrets": "",
    }


def test_celery_autodiscovery_registers_tasks_and_beat_entries(settings):
    # given Saleor's Celery app, which searches every plugin's package for tasks
    from saleor.celeryconf import app
    from saleor.plugins import discover_plugins_modules

    assert "saleor_journey_plugin" in discover_plugins_modules(settings.PLUGINS)

    # when it imports its default modules (what a worker or beat does on start,
    # and what triggers autodiscovery)
    app.loader.import_default_modules()

    # then our tasks are registered and the periodic ones are in its beat schedule
    assert set(app.tasks) >= TASKS
    schedule = app.conf.beat_schedule
    ours = {
        name: (entry["task"], entry["schedule"].total_seconds())
        for name, entry in schedule.items()
        if name.startswith("journey-")
    }
    assert ours == BEAT
    # Saleor's own entries are still there
    assert set(schedule) - set(BEAT)


def test_saleor_production_settings_install_the_app_and_the_plugin():
    # given a new interpreter on Saleor's production settings (the test process
    # runs saleor.tests.settings, which empties PLUGINS)
    code = "\n".join(
        [
            # settings only: django.setup() of all of Saleor takes ~25 s
            "from django.conf import settings",
            "print('saleor_journey_plugin' in settings.INSTALLED_APPS)",
            "print('saleor_journey_plugin.plugin.JourneyPlugin' in settings.PLUGINS)",
        ]
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "saleor.settings", "SECRET_KEY": "x"}

    # when it loads the settings
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )

    # then the entry point put the app in INSTALLED_APPS and the class in PLUGINS
    assert result.stdout.split() == ["True", "True"]
