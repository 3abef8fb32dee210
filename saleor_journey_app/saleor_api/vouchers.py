"""Single-use voucher codes created in the tenant's Saleor (``voucherCreate``).

Each code gets a voucher of its own: single use, usage limit 1, the channel's
value, ending when the request expires. The code is derived from the request's
reference (a keyed digest, as the plugin derives it), so a retried send that
asks again gets the same code: Saleor refuses the duplicate and the code stands.
"""

from django.utils.crypto import salted_hmac

from saleor_journey_plugin.core.host import CouponRequest

from ..tenants.models import Tenant
from .calls import call

CODE_PREFIX = "JRN-"
_CODE_SALT = "saleor_journey_app.coupon"

VOUCHER_CREATE = """
mutation JourneyCoupon($input: VoucherInput!) {
  voucherCreate(input: $input) {
    voucher { id }
    errors { field code message }
  }
}
"""
VOUCHER_CHANNEL_LISTING = """
mutation JourneyCouponValue($id: ID!, $input: VoucherChannelListingInput!) {
  voucherChannelListingUpdate(id: $id, input: $input) {
    errors { field code message }
  }
}
"""
CHANNEL_ID = "query JourneyChannel($slug: String!) { channel(slug: $slug) { id } }"


class VoucherRefused(Exception):
    pass


def coupon_code(tenant: Tenant, reference: str) -> str:
    digest = salted_hmac(
        _CODE_SALT, f"{tenant.saleor_api_url}|{reference}", algorithm="sha256"
    ).hexdigest()
    return CODE_PREFIX + digest[:12].upper()


def create_coupon(tenant: Tenant, request: CouponRequest) -> str:
    code = coupon_code(tenant, request.reference)
    data = call(
        tenant,
        VOUCHER_CREATE,
        {
            "input": {
                "name": f"Customer journey {code}",
                "type": "ENTIRE_ORDER",
                "discountValueType": "PERCENTAGE" if request.percentage else "FIXED",
                "addCodes": [code],
                "singleUse": True,
                "usageLimit": 1,
                "endDate": request.expires_at.isoformat(),
            }
        },
    )
    created = data.get("voucherCreate") or {}
    errors = created.get("errors") or []
    if errors:
        if all(error.get("code") == "UNIQUE" for error in errors):
            return code  # a retried send: the first one made it
        raise VoucherRefused(f"Saleor refused the voucher: {errors}")
    voucher_id = (created.get("voucher") or {}).get("id")
    channel = (call(tenant, CHANNEL_ID, {"slug": request.channel}).get("channel")) or {}
    listing = call(
        tenant,
        VOUCHER_CHANNEL_LISTING,
        {
            "id": voucher_id,
            "input": {
                "addChannels": [
                    {
                        "channelId": channel.get("id"),
                        "discountValue": str(request.value),
                    }
                ]
            },
        },
    )
    errors = (listing.get("voucherChannelListingUpdate") or {}).get("errors") or []
    if errors:
        raise VoucherRefused(f"Saleor refused the voucher's value: {errors}")
    return code
