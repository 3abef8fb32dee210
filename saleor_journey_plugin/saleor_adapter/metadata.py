"""Tagging Saleor users with their stage, readable through Saleor's own API."""

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from django.db import connection
from django.utils import timezone
from saleor.account.models import User

from ..core.tags import stage_keys, tier_keys
from ..models import Customer

if TYPE_CHECKING:
    from ..models import Journey

NEVER = datetime.min.replace(tzinfo=UTC)

# jsonb || merges our keys into whatever else the user's metadata holds, in
# one statement: no read-modify-write to race with Saleor's metadata mutations.
_MERGE = f"""
UPDATE {User._meta.db_table} AS u
SET metadata = COALESCE(u.metadata, '{{}}'::jsonb) || v.patch::jsonb, updated_at = %s
FROM unnest(%s::bigint[], %s::text[]) AS v(id, patch)
WHERE u.id = v.id
"""


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


def write_tiers(changes: list[tuple[int, str, str]]) -> None:
    """``loyalty_tier``: the latest change; ``loyalty_tier.<channel>``: each."""
    users = dict(
        Customer.objects.filter(
            pk__in={customer for customer, _, _ in changes}, user_id__isnull=False
        ).values_list("pk", "user_id")
    )
    by_user: dict[int, list[tuple[str, str]]] = {}
    for customer, channel, tier in changes:
        user_id = users.get(customer) or ""
        if user_id.isdigit():
            by_user.setdefault(int(user_id), []).append((channel, tier))
    patches = {user: tier_keys(tiers) for user, tiers in by_user.items()}
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
