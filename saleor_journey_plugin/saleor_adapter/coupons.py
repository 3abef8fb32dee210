"""Single-use Saleor voucher codes for campaign coupons (and redemptions).

A redemption's code that nobody used is withdrawn (deactivated) when a refund
takes back the points that paid for it.

Saleor keeps a discount's value, its expiry and its channel on the voucher,
and a voucher's ``single_use`` flag makes each of its codes usable once. So
codes that share a channel, a discount and an expiry hour share one voucher
the plugin manages (found by a key in its private metadata); a code expires
at the end of the hour its request expires in, never earlier.

A code is derived from its request's ``reference`` (a keyed digest), so a
retried send that asks again gets the same code, and no table is needed to
remember it.
"""

from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from saleor.channel.models import Channel
from saleor.discount import DiscountValueType, VoucherType
from saleor.discount.models import Voucher, VoucherChannelListing, VoucherCode

from ..core.host import CouponRequest

GROUP_KEY = "saleor.journey.coupon_group"
CODE_PREFIX = "JRN-"
_CODE_SALT = "saleor_journey_plugin.coupon"


def create_coupon(request: CouponRequest) -> str:
    code = coupon_code(request.reference)
    if VoucherCode.objects.filter(code=code).exists():
        return code
    try:
        with transaction.atomic():
            VoucherCode.objects.create(code=code, voucher=_voucher(request))
    except IntegrityError:
        # The same reference, asked at the same time: that one made the code.
        if not VoucherCode.objects.filter(code=code).exists():
            raise
    return code


def withdraw_coupon(reference: str) -> bool:
    """Deactivate the reference's code if no order used it and it has not expired.

    Saleor deactivates a single-use code when an order uses it (and counts
    ``used`` where the voucher has a usage limit), so an active code with no
    use is one nobody spent. One conditional ``UPDATE``: a checkout taking the
    code at the same moment waits for the row, and only one of them wins.
    """
    unexpired = Q(voucher__end_date__isnull=True) | Q(
        voucher__end_date__gt=timezone.now()
    )
    withdrawn = VoucherCode.objects.filter(
        unexpired, code=coupon_code(reference), is_active=True, used=0
    ).update(is_active=False)
    return withdrawn == 1


def coupon_code(reference: str) -> str:
    digest = salted_hmac(_CODE_SALT, reference, algorithm="sha256").hexdigest()
    return CODE_PREFIX + digest[:12].upper()


def _voucher(request: CouponRequest) -> Voucher:
    """The plugin's voucher for the request's channel, discount and hour."""
    expires = _end_of_hour(request.expires_at)
    channel = Channel.objects.get(slug=request.channel)
    kind = "percent" if request.percentage else channel.currency_code
    key = f"{channel.slug}:{request.value}:{kind}:{expires.isoformat()}"
    with connection.cursor() as cursor:
        # Two sends of one group at once would otherwise make two vouchers.
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])
    found = Voucher.objects.filter(private_metadata__contains={GROUP_KEY: key}).first()
    if found is not None:
        return found
    off = f"{request.value}%" if request.percentage else f"{request.value} {kind}"
    voucher = Voucher.objects.create(
        name=f"Customer journey: {off} off, until {expires:%Y-%m-%d %H:%M} UTC",
        type=VoucherType.ENTIRE_ORDER,
        discount_value_type=DiscountValueType.PERCENTAGE
        if request.percentage
        else DiscountValueType.FIXED,
        single_use=True,
        end_date=expires,
        private_metadata={GROUP_KEY: key},
    )
    VoucherChannelListing.objects.create(
        voucher=voucher,
        channel=channel,
        discount_value=request.value,
        currency=channel.currency_code,
    )
    return voucher


def _end_of_hour(instant: datetime) -> datetime:
    start = instant.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return start if start == instant else start + timedelta(hours=1)
