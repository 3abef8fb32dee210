"""``redeemLoyaltyPoints``: points into a single-use coupon."""

import graphene

from ..core import queries
from ..loyalty import ledger
from ..loyalty.redemption import redeem_for_coupon

NOT_SIGNED_IN = "NOT_SIGNED_IN"

LoyaltyErrorCodeEnum = graphene.Enum(
    "LoyaltyErrorCode",
    [
        (code, code)
        for code in (
            NOT_SIGNED_IN,
            ledger.Code.LOYALTY_DISABLED.value,
            ledger.Code.BELOW_MINIMUM.value,
            ledger.Code.NOT_ENOUGH_POINTS.value,
        )
    ],
)


class LoyaltyError(graphene.ObjectType):
    field = graphene.String(description="The argument at fault, if one is.")
    code = graphene.Field(LoyaltyErrorCodeEnum, required=True)
    message = graphene.String(required=True)


class LoyaltyMoney(graphene.ObjectType):
    amount = graphene.Float(required=True)
    currency = graphene.String(description="Null where the channel has none set.")


# Which argument each refusal is about (None: the caller, not an argument).
_FIELDS = {
    ledger.Code.BELOW_MINIMUM: "points",
    ledger.Code.NOT_ENOUGH_POINTS: "points",
}


class RedeemLoyaltyPoints(graphene.Mutation):
    """Turn points into a single-use coupon worth points x the point value.

    The points are debited only if the store created the coupon. Refusals come
    back in ``errors``, and then nothing was debited.
    """

    class Arguments:
        points = graphene.Int(required=True, description="Points to redeem.")

    code = graphene.String(description="The coupon code to enter at checkout.")
    value = graphene.Field(LoyaltyMoney, description="What the coupon takes off.")
    balance = graphene.Int(description="Points left after this redemption.")
    errors = graphene.NonNull(graphene.List(graphene.NonNull(LoyaltyError)))

    @staticmethod
    def mutate(root, info, points):
        context = info.context
        if not context.viewer.is_customer:
            return _refused(
                NOT_SIGNED_IN, "Sign in as a customer to redeem points.", None
            )
        settings = context.settings.loyalty
        customer = queries.find_customer(user_id=context.viewer.user_id)
        try:
            if settings is None:
                raise ledger.LoyaltyError(
                    ledger.Code.LOYALTY_DISABLED, "Loyalty points are off here."
                )
            done = redeem_for_coupon(
                context.channel,
                customer.pk if customer else None,
                points,
                settings,
                context.settings.currency,
            )
        except ledger.LoyaltyError as error:
            return _refused(error.code.value, str(error), _FIELDS.get(error.code))
        return RedeemLoyaltyPoints(
            code=done.code,
            value=LoyaltyMoney(amount=done.value, currency=done.currency),
            balance=done.balance,
            errors=[],
        )


def _refused(code: str, message: str, field: str | None) -> RedeemLoyaltyPoints:
    return RedeemLoyaltyPoints(
        errors=[LoyaltyError(field=field, code=code, message=message)]
    )
