"""Points turned into a single-use coupon the store creates."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from ..core.host import CouponRequest, get_host
from . import ledger
from .settings import LoyaltySettings

# How long a redeemed coupon stays usable: as long as the points it replaces
# would have lasted by default.
COUPON_VALIDITY = timedelta(days=365)


@dataclass(frozen=True)
class Redemption:
    code: str
    value: Decimal
    currency: str | None
    balance: int


def redeem_for_coupon(
    channel: str,
    customer: int | None,
    points: int,
    settings: LoyaltySettings,
    currency: str | None,
    now: datetime | None = None,
) -> Redemption:
    """Debit ``points`` and create a coupon worth them, or do neither.

    ``customer`` is None for a signed-in person the journey has no record of
    yet: they have earned nothing, so there is nothing to redeem.
    """
    now = now or timezone.now()
    if customer is None:
        if not settings.enabled:
            raise ledger.LoyaltyError(
                ledger.Code.LOYALTY_DISABLED, "Loyalty points are off here."
            )
        raise ledger.LoyaltyError(
            ledger.Code.NOT_ENOUGH_POINTS,
            f"The balance is 0 points, less than {points}.",
        )
    # One key names both the debit and the coupon: the store's coupon points
    # back to the ledger entry that paid for it.
    key = f"redeem:{channel}:{customer}:{uuid.uuid4()}"

    def create_code(value: Decimal) -> tuple[str, Decimal]:
        code = get_host().create_coupon(
            CouponRequest(
                channel=channel,
                reference=key,
                value=value,
                percentage=False,
                currency=currency,
                expires_at=now + COUPON_VALIDITY,
            )
        )
        return code, value

    code, value = ledger.redeem(
        channel, customer, points, settings, create_code, key=key, at=now
    )
    return Redemption(
        code=code,
        value=value,
        currency=currency,
        balance=ledger.balance(channel, customer),
    )
