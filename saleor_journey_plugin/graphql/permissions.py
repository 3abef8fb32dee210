"""Permissions declared on fields, as Saleor's ``PermissionsField`` does."""

from functools import wraps

import graphene

from ..core.host import MANAGE_DISCOUNTS, MANAGE_ORDERS, MANAGE_USERS
from .errors import PermissionDenied

CUSTOMER = "AUTHENTICATED_CUSTOMER"


def _check(info, permissions: list[str]) -> None:
    viewer = info.context.viewer
    for permission in permissions:
        if permission == CUSTOMER and viewer.is_customer:
            return
        if viewer.has_permission(permission):
            return
    if permissions == [CUSTOMER]:
        raise PermissionDenied(
            "You need to be signed in as a customer to see a journey."
        )
    raise PermissionDenied(
        "You need one of the following permissions: " + ", ".join(permissions)
    )


def check_all(info, permissions: list[str], doing: str) -> None:
    """Refuse a caller missing any of ``permissions`` for ``doing`` (a part of
    what a field does that needs more than the field's own permission)."""
    viewer = info.context.viewer
    if not all(viewer.has_permission(permission) for permission in permissions):
        raise PermissionDenied(
            f"{doing} needs all of the following permissions: " + ", ".join(permissions)
        )


class PermissionsField(graphene.Field):
    """A field whose resolver runs only for callers holding one of ``permissions``."""

    def __init__(self, *args, permissions: list[str], **kwargs):
        self.permissions = permissions
        description = kwargs.pop("description", "") or ""
        needed = ", ".join(permissions)
        kwargs["description"] = (
            f"{description} Requires one of the following permissions: {needed}."
        ).strip()
        super().__init__(*args, **kwargs)

    def get_resolver(self, parent_resolver):
        resolver = super().get_resolver(parent_resolver)
        permissions = self.permissions

        @wraps(resolver)
        def checked(root, info, *args, **kwargs):
            _check(info, permissions)
            return resolver(root, info, *args, **kwargs)

        return checked

    @classmethod
    def of_mutation(
        cls, mutation: type[graphene.Mutation], permissions: list[str]
    ) -> "PermissionsField":
        """The field of ``mutation``, its permission declared on the field."""
        meta = mutation._meta
        return cls(
            meta.output,
            args=meta.arguments,
            resolver=meta.resolver,
            permissions=permissions,
            description=meta.description,
        )


__all__ = [
    "CUSTOMER",
    "MANAGE_DISCOUNTS",
    "MANAGE_ORDERS",
    "MANAGE_USERS",
    "PermissionsField",
    "check_all",
]
