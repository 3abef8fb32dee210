import graphene

from ...loyalty import ledger
from ...loyalty.models import EntryKind

# Refusals of the API itself; the ledger's own codes follow them.
NOT_SIGNED_IN = "NOT_SIGNED_IN"
INVALID = "INVALID"
NOT_FOUND = "NOT_FOUND"

LoyaltyEntryKindEnum = graphene.Enum(
    "LoyaltyEntryKind", [(k.value.upper(), k.value) for k in EntryKind]
)
LoyaltyErrorCodeEnum = graphene.Enum(
    "LoyaltyErrorCode",
    [
        (code, code)
        for code in (
            NOT_SIGNED_IN,
            INVALID,
            NOT_FOUND,
            *(code.value for code in ledger.Code),
        )
    ],
)
