"""Stages and tiers written into the tenant's Saleor user metadata."""

from ..tenants.models import Tenant
from .calls import call, global_id

UPDATE_METADATA = """
mutation JourneyTags($id: ID!, $input: [MetadataInput!]!) {
  updateMetadata(id: $id, input: $input) {
    errors { field code message }
  }
}
"""


class MetadataRefused(Exception):
    pass


def write(tenant: Tenant, user_id: str, tags: dict[str, str]) -> None:
    """Merge ``tags`` into the user's public metadata (other keys untouched)."""
    data = call(
        tenant,
        UPDATE_METADATA,
        {
            "id": global_id("User", user_id),
            "input": [{"key": key, "value": value} for key, value in tags.items()],
        },
    )
    errors = (data.get("updateMetadata") or {}).get("errors") or []
    if errors:
        raise MetadataRefused(
            f"Saleor refused the metadata of user {user_id}: {errors}"
        )
