"""Staff erasing a guest on request: ``eraseGuestData``.

An account is erased when the store deletes it (the plugin hears of it); a
guest has no account to delete, so staff name her address here.
"""

import graphene

from ...core.erasure import erase_guest
from ..errors import InvalidArgument
from ..validation import clean_email


class EraseGuestData(graphene.Mutation):
    """Forget the guest (a customer without an account) with this email: her
    journey, the personal data of her events, her reviews, loyalty points and
    campaign emails; the store's figures keep their amounts. An account using
    the same address is not touched: it goes when the store deletes it."""

    class Arguments:
        email = graphene.String(required=True, description="The guest's email.")

    erased = graphene.Boolean(
        required=True, description="False when no guest has this email."
    )

    @staticmethod
    def mutate(root, info, email):
        email = clean_email(email, "email")
        if not email:
            raise InvalidArgument("'email' must not be empty.", field="email")
        return EraseGuestData(erased=erase_guest(email) > 0)
