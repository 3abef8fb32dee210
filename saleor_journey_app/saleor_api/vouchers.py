"""Single-use voucher codes created in the tenant's Saleor (``voucherCreate``).

Each code gets a voucher of its own: single use, usage limit 1, the channel's
value, ending when the request expires. The code is derived from the request's
reference (a keyed digest, as the plugin derives it), so a retried send that
asks again gets the same code: Saleor refuses the duplicate and the code stands.
"""

from django.utils import timezone
from django.utils.crypto import salted_hmac

from saleor_journey_plugin.core.host import CouponRequest

from ..tenants.models import Tenant
from ..webhooks.translate import parse_time
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
VOUCHER_ADD_CODE = """
mutation JourneyCouponCode($id: ID!, $input: VoucherInput!) {
  voucherUpdate(id: $id, input: $input) {
    errors { field code message }
  }
}
"""
VOUCHER_DELETE = """
mutation JourneyCouponDrop($id: ID!) {
  voucherDelete(id: $id) {
    errors { field code message }
  }
}
"""
VOUCHER_OF_CODE = """
query JourneyCouponFind($code: String!) {
  vouchers(first: 5, filter: {search: $code}) {
    edges {
      node { id endDate codes(first: 5) { edges { node { code used isActive } } } }
    }
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
    """The voucher first, then its value, the code last: a code that exists
    belongs to a finished voucher, so a retry that finds it taken is done
    (and drops the voucher it had just begun)."""
    code = coupon_code(tenant, request.reference)
    created = _mutate(
        tenant,
        VOUCHER_CREATE,
        "voucherCreate",
        {
            "input": {
                "name": f"Customer journey {code}",
                "type": "ENTIRE_ORDER",
                "discountValueType": "PERCENTAGE" if request.percentage else "FIXED",
                "singleUse": True,
                "usageLimit": 1,
                "endDate": request.expires_at.isoformat(),
            }
        },
    )
    voucher_id = (created.get("voucher") or {}).get("id")
    channel = call(tenant, CHANNEL_ID, {"slug": request.channel}).get("channel") or {}
    if not voucher_id or not channel.get("id"):
        raise VoucherRefused(f"No voucher made in channel {request.channel}")
    value = {"channelId": channel["id"], "discountValue": str(request.value)}
    _mutate(
        tenant,
        VOUCHER_CHANNEL_LISTING,
        "voucherChannelListingUpdate",
        {"id": voucher_id, "input": {"addChannels": [value]}},
    )
    try:
        _mutate(
            tenant,
            VOUCHER_ADD_CODE,
            "voucherUpdate",
            {"id": voucher_id, "input": {"addCodes": [code]}},
        )
    except CodeTaken:
        _mutate(tenant, VOUCHER_DELETE, "voucherDelete", {"id": voucher_id})
    return code


def withdraw_coupon(tenant: Tenant, reference: str) -> bool:
    """Drop the reference's voucher if its code is unused and unexpired.

    Each code has a voucher of its own, so deleting the voucher withdraws the
    code and nothing else. No voucher holding the code (withdrawn before, by a
    call whose answer was lost): nobody can spend it, and the answer is True
    again, as the core asks of a host whose codes live elsewhere. Saleor has
    no conditional delete: a checkout taking the code between the read and
    the delete keeps its discount.
    """
    code = coupon_code(tenant, reference)
    voucher = _voucher_of(tenant, code)
    if voucher is None:
        return True
    (found,) = [
        edge["node"]
        for edge in voucher["codes"]["edges"]
        if edge["node"].get("code") == code
    ]
    if found.get("used") or not found.get("isActive"):
        return False
    end = voucher.get("endDate")
    if end and parse_time(end) <= timezone.now():
        return False
    _mutate(tenant, VOUCHER_DELETE, "voucherDelete", {"id": voucher["id"]})
    return True


def _voucher_of(tenant: Tenant, code: str) -> dict | None:
    """The voucher holding ``code`` (Saleor's search also matches names)."""
    data = call(tenant, VOUCHER_OF_CODE, {"code": code})
    for edge in (data.get("vouchers") or {}).get("edges") or []:
        voucher = edge["node"]
        codes = (voucher.get("codes") or {}).get("edges") or []
        if any(found["node"].get("code") == code for found in codes):
            return voucher
    return None


class CodeTaken(VoucherRefused):
    pass


def _mutate(tenant: Tenant, mutation: str, name: str, variables: dict) -> dict:
    result = call(tenant, mutation, variables).get(name) or {}
    errors = result.get("errors") or []
    if errors and all(error.get("code") == "UNIQUE" for error in errors):
        raise CodeTaken(f"{name}: the code exists")
    if errors:
        raise VoucherRefused(f"Saleor refused {name}: {errors}")
    return result
