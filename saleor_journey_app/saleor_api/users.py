"""Store users as the campaigns ask about them: who gets no email, and names."""

from ..tenants.models import Tenant
from .batch import read_each
from .calls import global_id


def skipped_users(tenant: Tenant, user_ids: list[str]) -> set[str]:
    """The staff or inactive users among ``user_ids``.

    The app holds MANAGE_USERS, not MANAGE_STAFF, and Saleor then shows it
    customers only (``user(id:)`` is null for a staff member without orders).
    A user Saleor does not show (staff, or deleted since) gets no email either.
    """
    wanted = sorted({user_id for user_id in user_ids if _is_pk(user_id)})
    ids = [global_id("User", user_id) for user_id in wanted]
    nodes = read_each(tenant, "user", "{ isStaff isActive }", ids)
    return {
        user_id
        for user_id, node in zip(wanted, nodes, strict=True)
        if node is None or node.get("isStaff") or not node.get("isActive")
    }


def first_name(tenant: Tenant, user_id: str) -> str:
    if not _is_pk(user_id):
        return ""
    (node,) = read_each(tenant, "user", "{ firstName }", [global_id("User", user_id)])
    return str((node or {}).get("firstName") or "").strip()


def _is_pk(value: str) -> bool:
    return value.isascii() and value.isdigit()
