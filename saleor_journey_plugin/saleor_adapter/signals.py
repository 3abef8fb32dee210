"""Account creation and deletion, caught where Saleor's hooks miss them.

Saleor calls ``customer_created`` and ``account_deleted`` without a channel, so a
per-channel plugin only hears them when the manager happens to have loaded a
channel (``accountRegister`` fires ``customer_created`` from a Celery task that
has not). Model signals see every account; the idempotency key makes the hook
and the signal one event.
"""

from django.db.models.signals import post_save, pre_delete
from saleor.account.models import User

from . import safe, translate


def on_user_saved(sender, instance: User, created: bool, **kwargs) -> None:
    # Staff accounts are not customers (Saleor fires staff_created for them).
    if created and not instance.is_staff:
        safe.record([translate.account_created_event(instance)])


def on_user_deleted(sender, instance: User, **kwargs) -> None:
    safe.record([translate.account_deleted_event(instance)])


def connect() -> None:
    post_save.connect(on_user_saved, sender=User, dispatch_uid="journey_user_saved")
    pre_delete.connect(
        on_user_deleted, sender=User, dispatch_uid="journey_user_deleted"
    )
