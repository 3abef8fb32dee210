"""Single-use voucher codes created in the tenant's Saleor (``voucherCreate``).

Each code gets a voucher of its own: single use, usage limit 1, the channel's
value, ending when the request expires. The code is derived from the request's
reference (a keyed digest, as the plugin derives it), so a retried send that
asks again gets the same code: Saleor refuses the duplicate and the code stands.

Saleor 3.23's ``voucherCreate`` requires the code (``code`` or ``addCodes``),
so the voucher is made with it, and its value set next.
"""

from django.utils import timezone
from django.utils.crypto import salted_hmac

from saleor_journey_plugin.core.host import CouponRequest

from ..tenants.models import Tenant
from ..webhooks.translate import parse_time
from .calls import call

CODE_PREFIX = "JRN-"
# Saleor 3.23 answers a taken code with ALREADY_EXISTS (on "codes").
CODE_EXISTS = frozenset({"ALREADY_EXISTS", "UNIQUE"})
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
    """The voucher with its code, then its value in the channel. A retry finds
    the code taken and sets the value on the voucher holding it (setting it
    twice is harmless), so a voucher a failed attempt left without its value
    is finished, never left worthless."""
    code = coupon_code(tenant, request.reference)
    try:
        created = _mutate(
            tenant,
            VOUCHER_CREATE,
            "voucherCreate",
            {
                "input": {
                    "name": f"Customer journey {code}",
                    "type": "ENTIRE_ORDER",
                    "discountValueType": "PERCENTAGE"
                    if request.percentage
                    else "FIXED",
                    "singleUse": True,
                    "usageLimit": 1,
                    "endDate": request.expires_at.isoformat(),
                    "addCodes": [code],
                }
            },
        )
        voucher_id = (created.get("voucher") or {}).get("id")
    except CodeTaken:
        voucher_id = (_voucher_of(tenant, code) or {}).get("id")
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
    if errors and all(error.get("code") in CODE_EXISTS for error in errors):
        raise CodeTaken(f"{name}: the code exists")
    if errors:
        raise VoucherRefused(f"Saleor refused {name}: {errors}")
    return result
