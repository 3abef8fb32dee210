"""What the plugin holds about a customer: staff's copy of it
(``customerDataExport``) and the erasure of a guest (``eraseGuestData``)."""

import graphene

from ..permissions import MANAGE_USERS, PermissionsField
from . import resolvers
from .mutations import EraseGuestData


class CustomerDataQueries(graphene.ObjectType):
    customer_data_export = PermissionsField(
        graphene.JSONString,
        email=graphene.String(),
        user_id=graphene.String(),
        permissions=[MANAGE_USERS],
        description="Everything the plugin holds about a customer in this "
        "channel, as JSON (a data subject access request): the journey, "
        "events, consent, campaign emails, reviews and loyalty points; null "
        "for a customer the plugin does not know.",
    )

    @staticmethod
    def resolve_customer_data_export(root, info, email=None, user_id=None):
        return resolvers.resolve_customer_data_export(info, email, user_id)


class CustomerDataMutations(graphene.ObjectType):
    erase_guest_data = PermissionsField.of_mutation(EraseGuestData, [MANAGE_USERS])
