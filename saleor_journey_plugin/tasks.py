"""Celery tasks. Saleor's worker finds them by autodiscovery of plugin packages.

Importing this module also adds the periodic tasks to the Celery app's beat
schedule, so ``celery beat`` runs them without the store editing its settings.
"""

from datetime import timedelta

from celery import current_app, shared_task

from .campaigns.sweep import sweep
from .core.abandonment import record_abandonments
from .core.host import get_host
from .core.lapse import record_lapses
from .core.processing import drain
from .double_opt_in.mailing import SENDING_TASK, send_pending
from .loyalty.ledger import expire_all_due, refresh_tiers
from .wakeup import DRAIN_TASK, drain_pending


@shared_task(name=DRAIN_TASK, ignore_result=True)
def process_pending_events() -> int:
    """Apply every waiting event; woken by the relay, and run by beat in case
    a wake-up was lost."""
    return drain_pending()


@shared_task(name="saleor_journey_plugin.detect_lapsed_customers", ignore_result=True)
def detect_lapsed_customers() -> int:
    with get_host().writer():
        recorded = record_lapses()
        drain()
        return len(recorded)


@shared_task(
    name="saleor_journey_plugin.detect_abandoned_checkouts", ignore_result=True
)
def detect_abandoned_checkouts() -> int:
    with get_host().writer():
        recorded = record_abandonments()
        drain()
        return len(recorded)


@shared_task(name="saleor_journey_plugin.expire_loyalty_points", ignore_result=True)
def expire_loyalty_points() -> int:
    """Expire points past their date, oldest first, and lower tiers whose
    earnings left the 365-day window."""
    with get_host().writer():
        expired = expire_all_due()
        refresh_tiers()
        return expired


@shared_task(name="saleor_journey_plugin.send_campaign_emails", ignore_result=True)
def send_campaign_emails() -> dict[str, int]:
    """Send the campaign steps that are due; exits need the events applied first."""
    with get_host().writer():
        drain()
        outcome = sweep()
        drain()
        return outcome


@shared_task(name=SENDING_TASK, ignore_result=True)
def send_opt_in_confirmations() -> dict[str, int]:
    """Mail each anonymous newsletter sign-up its confirmation link, once;
    woken when the drain applies a sign-up, and run by beat as a relay."""
    with get_host().writer():
        return send_pending()


BEAT_SCHEDULE = {
    "journey-process-pending-events": {
        "task": process_pending_events.name,
        "schedule": timedelta(minutes=1),
        "options": {"expires": 55},
    },
    "journey-detect-abandoned-checkouts": {
        "task": detect_abandoned_checkouts.name,
        "schedule": timedelta(minutes=15),
        "options": {"expires": 850},
    },
    "journey-detect-lapsed-customers": {
        "task": detect_lapsed_customers.name,
        "schedule": timedelta(hours=1),
        "options": {"expires": 3500},
    },
    "journey-expire-loyalty-points": {
        "task": expire_loyalty_points.name,
        "schedule": timedelta(days=1),
        "options": {"expires": 82800},
    },
    "journey-send-campaign-emails": {
        "task": send_campaign_emails.name,
        "schedule": timedelta(minutes=5),
        "options": {"expires": 290},
    },
    "journey-send-opt-in-confirmations": {
        "task": send_opt_in_confirmations.name,
        "schedule": timedelta(minutes=1),
        "options": {"expires": 55},
    },
}


def register_beat_schedule(app) -> None:
    """Add our periodic tasks, leaving any entry the store defined itself."""
    if app.conf.beat_schedule is None:
        app.conf.beat_schedule = {}
    schedule = app.conf.beat_schedule
    for name, entry in BEAT_SCHEDULE.items():
        schedule.setdefault(name, entry)


register_beat_schedule(current_app)
