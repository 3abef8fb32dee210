"""Staff's copy of everything the plugin holds about a customer:
``customerDataExport``."""

import graphene

from ..core.export import export_customer
from .permissions import MANAGE_USERS, PermissionsField
from .resolvers import identified_customer


def _resolve(root, info, email=None, user_id=None):
    customer = identified_customer(email, user_id)
    if customer is None:
        return None
    return export_customer(customer, info.context.channel)


def customer_data_export_field() -> PermissionsField:
    """``Query.customerDataExport``, resolver and permission included."""
    return PermissionsField(
        graphene.JSONString,
        email=graphene.String(),
        user_id=graphene.String(),
        resolver=_resolve,
        permissions=[MANAGE_USERS],
        description="Everything the plugin holds about a customer in this "
        "channel, as JSON (a data subject access request): the journey, "
        "events, consent, campaign emails, reviews and loyalty points; null "
        "for a customer the plugin does not know.",
    )
