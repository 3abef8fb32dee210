"""``redeemLoyaltyPoints``: points into a single-use coupon; and for staff,
``adjustLoyaltyPoints``: a correction with its reason."""

import uuid

import graphene

from ...core import queries
from ...core.events import normalize_email
from ...loyalty import ledger
from ...loyalty.redemption import redeem_for_coupon
from ..customer_lookup import identified_customer
from ..errors import InvalidArgument
from ..permissions import MANAGE_DISCOUNTS, MANAGE_USERS, check_all
from ..validation import clean_text
from .enums import INVALID, NOT_FOUND, NOT_SIGNED_IN
from .types import LoyaltyEntry, LoyaltyError, LoyaltyMoney

# A client's key for a retried adjustment (a UUID fits with room to spare).
MAX_IDEMPOTENCY_KEY = 64
# Added points become voucher codes: adding them is creating discounts.
CREDIT_PERMISSIONS = [MANAGE_USERS, MANAGE_DISCOUNTS]


# Which argument each refusal is about (None: the caller, not an argument).
_FIELDS = {
    ledger.Code.BELOW_MINIMUM: "points",
    ledger.Code.NOT_ENOUGH_POINTS: "points",
    ledger.Code.INVALID_POINTS: "points",
    ledger.Code.REASON_REQUIRED: "reason",
    ledger.Code.INVALID_REASON: "reason",
    ledger.Code.IDEMPOTENCY_KEY_REUSED: "idempotencyKey",
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
    return RedeemLoyaltyPoints(errors=_errors(code, message, field))


def _errors(code: str, message: str, field: str | None) -> list[LoyaltyError]:
    return [LoyaltyError(field=field, code=code, message=message)]


class AdjustLoyaltyPoints(graphene.Mutation):
    """Credit or debit a customer's points by hand, saying why.

    The entry records the staff user making it. A credit also needs
    MANAGE_DISCOUNTS, and never goes to the caller's own records. A debit
    cannot take the balance below zero. Refusals come back in ``errors``, and
    then nothing changed.
    """

    class Arguments:
        email = graphene.String(description="The customer's email (guests too).")
        user_id = graphene.String(description="The customer's store user id.")
        points = graphene.Int(
            required=True,
            description=f"Points to credit (positive; also requires "
            f"MANAGE_DISCOUNTS, and not to your own records) or debit "
            f"(negative); non-zero, at most {ledger.MAX_POINTS} either way.",
        )
        reason = graphene.String(
            required=True,
            description=f"Why; at most {ledger.MAX_REASON} characters.",
        )
        idempotency_key = graphene.String(
            description="Optional: the same key sent again (a retried request) "
            "changes nothing and answers with the first adjustment. At most "
            f"{MAX_IDEMPOTENCY_KEY} characters."
        )

    entry = graphene.Field(LoyaltyEntry, description="The ledger entry written.")
    balance = graphene.Int(description="The customer's points after it.")
    errors = graphene.NonNull(graphene.List(graphene.NonNull(LoyaltyError)))

    @staticmethod
    def mutate(
        root, info, points, reason, email=None, user_id=None, idempotency_key=None
    ):
        context = info.context
        if points > 0:
            check_all(info, CREDIT_PERMISSIONS, "Adding points")
        try:
            key = clean_text(idempotency_key, "idempotencyKey", MAX_IDEMPOTENCY_KEY)
            customer = identified_customer(email, user_id)
        except InvalidArgument as error:
            return _adjust_refused(
                INVALID, error.message, error.extensions["exception"].get("field")
            )
        if customer is None:
            return _adjust_refused(
                NOT_FOUND,
                "No customer with this email or user id is known here.",
                "email" if email else "userId",
            )
        settings = context.settings.loyalty
        try:
            if settings is None or not settings.enabled:
                raise ledger.LoyaltyError(
                    ledger.Code.LOYALTY_DISABLED, "Loyalty points are off here."
                )
            entry = ledger.adjust(
                context.channel,
                customer.pk,
                points,
                reason,
                context.viewer.user_id,
                key or str(uuid.uuid4()),
                staff_email=normalize_email(context.viewer.email),
            )
        except ledger.LoyaltyError as error:
            field = _FIELDS.get(error.code)
            if error.code is ledger.Code.OWN_ACCOUNT:
                field = "email" if email else "userId"
            return _adjust_refused(error.code.value, str(error), field)
        return AdjustLoyaltyPoints(
            entry=entry,
            balance=ledger.balance(context.channel, customer.pk),
            errors=[],
        )


def _adjust_refused(code: str, message: str, field: str | None) -> AdjustLoyaltyPoints:
    return AdjustLoyaltyPoints(errors=_errors(code, message, field))
