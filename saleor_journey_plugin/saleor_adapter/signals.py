"""Account creation, changes and deletion, caught where Saleor's hooks miss them.

Saleor calls ``customer_created`` and ``account_deleted`` without a channel, so a
per-channel plugin only hears them when the manager happens to have loaded a
channel (``accountRegister`` fires ``customer_created`` from a Celery task that
has not). Model signals see every account; the idempotency key makes the hook
and the signal one event.
"""

from django.db.models.signals import post_save, pre_delete
from saleor.account.models import User

from . import safe, translate

# What Saleor saves when an account's address is proved or changed (and the
# guest orders placed with it linked: before the save when confirming or
# setting a password, in the same transaction when staff update it).
ACCOUNT_FIELDS = frozenset({"email", "is_confirmed"})


def on_user_saved(
    sender, instance: User, created: bool, update_fields=None, **kwargs
) -> None:
    # Staff accounts are not customers (Saleor fires staff_created for them).
    if instance.is_staff:
        return
    if created:
        safe.record([translate.account_created_event(instance)])
    elif update_fields is None or ACCOUNT_FIELDS & set(update_fields):
        safe.record([translate.account_updated_event(instance, "saved")])


def on_user_deleted(sender, instance: User, **kwargs) -> None:
    safe.record([translate.account_deleted_event(instance)])


def connect() -> None:
    post_save.connect(on_user_saved, sender=User, dispatch_uid="journey_user_saved")
    pre_delete.connect(
        on_user_deleted, sender=User, dispatch_uid="journey_user_deleted"
    )
