"""Tagging Saleor users with their stage, readable through Saleor's own API."""

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from django.db import connection
from django.utils import timezone
from saleor.account.models import User

from ..models import Customer

if TYPE_CHECKING:
    from ..models import Journey

STAGE_KEY = "journey_stage"
NEVER = datetime.min.replace(tzinfo=UTC)

# jsonb || merges our keys into whatever else the user's metadata holds, in
# one statement: no read-modify-write to race with Saleor's metadata mutations.
_MERGE = f"""
UPDATE {User._meta.db_table} AS u
SET metadata = COALESCE(u.metadata, '{{}}'::jsonb) || v.patch::jsonb, updated_at = %s
FROM unnest(%s::bigint[], %s::text[]) AS v(id, patch)
WHERE u.id = v.id
"""


def stage_keys(journeys: "list[Journey]") -> dict[str, str]:
    """``journey_stage``: the latest change; ``journey_stage.<channel>``: each."""
    latest = max(
        journeys, key=lambda j: (j.stage_entered_at is not None, j.stage_entered_at)
    )
    keys = {STAGE_KEY: (latest.stage or "").lower()}
    for journey in journeys:
        keys[f"{STAGE_KEY}.{journey.channel}"] = (journey.stage or "").lower()
    return keys


def write_stages(journeys: "list[Journey]") -> None:
    users = dict(
        Customer.objects.filter(
            pk__in={j.customer_id for j in journeys}, user_id__isnull=False
        ).values_list("pk", "user_id")
    )
    by_user: dict[int, list[Journey]] = {}
    for journey in journeys:
        user_id = users.get(journey.customer_id) or ""
        if user_id.isdigit():
            by_user.setdefault(int(user_id), []).append(journey)
    if not by_user:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            _MERGE,
            [
                timezone.now(),
                list(by_user),
                [json.dumps(stage_keys(js)) for js in by_user.values()],
            ],
        )


TIER_KEY = "loyalty_tier"


def write_tiers(changes: list[tuple[int, str, str]]) -> None:
    """``loyalty_tier``: the latest change; ``loyalty_tier.<channel>``: each."""
    users = dict(
        Customer.objects.filter(
            pk__in={customer for customer, _, _ in changes}, user_id__isnull=False
        ).values_list("pk", "user_id")
    )
    patches: dict[int, dict[str, str]] = {}
    for customer, channel, tier in changes:
        user_id = users.get(customer) or ""
        if user_id.isdigit():
            patch = patches.setdefault(int(user_id), {})
            patch[TIER_KEY] = tier
            patch[f"{TIER_KEY}.{channel}"] = tier
    if not patches:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            _MERGE,
            [
                timezone.now(),
                list(patches),
                [json.dumps(patch) for patch in patches.values()],
            ],
        )
