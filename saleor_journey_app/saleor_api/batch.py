"""Many objects in one request: one aliased field per ID (``n0: user(id: $n0)``)."""

from collections.abc import Sequence

from ..tenants.models import Tenant
from .calls import call

# Saleor counts every aliased field against its query cost; a sweep's batch
# is split into requests of this many.
CHUNK = 50


def read_each(
    tenant: Tenant, field: str, selection: str, ids: Sequence[str], fragment: str = ""
) -> list[dict | None]:
    """``field(id: ...) { selection }`` for each ID, in order; None where
    Saleor shows nothing (deleted, or hidden from the app)."""
    found: list[dict | None] = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        names = [f"n{index}" for index in range(len(chunk))]
        params = ", ".join(f"${name}: ID!" for name in names)
        fields = " ".join(f"{name}: {field}(id: ${name}) {selection}" for name in names)
        query = f"query JourneyRead({params}) {{ {fields} }}" + fragment
        data = call(tenant, query, dict(zip(names, chunk, strict=True)))
        found.extend(data.get(name) for name in names)
    return found
