"""Tagging Saleor users with their stage, readable through Saleor's own API."""

from typing import TYPE_CHECKING

from django.db import transaction
from saleor.account.models import User

if TYPE_CHECKING:
    from ..models import Journey

STAGE_KEY = "journey_stage"


def stage_keys(journey: "Journey") -> dict[str, str]:
    """``journey_stage``: the latest change; ``journey_stage.<channel>``: each."""
    stage = (journey.stage or "").lower()
    return {STAGE_KEY: stage, f"{STAGE_KEY}.{journey.channel}": stage}


def write_stage(journey: "Journey") -> None:
    user_id = journey.customer.user_id
    if not user_id or not str(user_id).isdigit():
        return
    with transaction.atomic():
        # Locked so a concurrent metadata mutation is not overwritten with stale keys.
        user = (
            User.objects.select_for_update().only("metadata").filter(pk=user_id).first()
        )
        if user is None:
            return
        user.store_value_in_metadata(stage_keys(journey))
        user.save(update_fields=["metadata", "updated_at"])
