"""The coupon codes simulated shoppers hold, and the one they enter at checkout.

Codes come from the campaign emails a shopper clicked and from the points they
turned into a voucher. At checkout a shopper enters their oldest code still
valid (one per order), and the store marks it used: single-use, as in Saleor.
A code withdrawn by a refund of the points that paid for it is not valid.
"""

from collections import defaultdict
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from example_store.models import Coupon
from example_store.simulation import CouponUse, Extension, Shopper, Simulation


class Wallet(Extension):
    def __init__(self) -> None:
        self._codes: dict[int, list[str]] = defaultdict(list)
        self.used: list[str] = []

    def give(self, shopper: Shopper, code: str) -> None:
        if code and code not in self._codes[shopper.number]:
            self._codes[shopper.number].append(code)

    def coupon(
        self,
        simulation: Simulation,
        shopper: Shopper,
        checkout: int,
        total: Decimal,
        currency: str,
    ) -> CouponUse | None:
        codes = self._codes.get(shopper.number)
        while codes:
            coupon = Coupon.objects.filter(code=codes.pop(0)).first()
            if coupon is None or not _usable(coupon, simulation.now, shopper.channel):
                continue
            coupon.used_at = simulation.now
            coupon.save(update_fields=["used_at"])
            self.used.append(coupon.code)
            return CouponUse(coupon.code, discount(coupon, total, currency))
        return None


def _usable(coupon: Coupon, now: datetime, channel: str) -> bool:
    return (
        coupon.used_at is None
        and coupon.withdrawn_at is None
        and coupon.expires_at > now
        and coupon.channel == channel
    )


def discount(coupon: Coupon, total: Decimal, currency: str) -> Decimal:
    """What the code takes off ``total``: a percentage, or an amount up to it."""
    exponent = Decimal(1) if currency == "KRW" else Decimal("0.01")
    off = total * coupon.value / 100 if coupon.percentage else coupon.value
    off = min(off, total)
    return off.quantize(exponent, rounding=ROUND_HALF_UP)
