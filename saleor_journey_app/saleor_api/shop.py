"""The shop as campaign emails name it: its name and postal address.

A sweep's every email asks; Saleor is asked once per tenant per
``SHOP_TTL_SECONDS`` (a store renames itself rarely, and a stale name for a
few minutes harms nobody).
"""

import time
from dataclasses import dataclass

from saleor_journey_plugin.campaigns.mail.address import PostalAddress, postal_lines

from ..tenants.models import Tenant
from .calls import call

SHOP_TTL_SECONDS = 300.0
QUERY = """
query JourneyShop {
  shop {
    name
    companyAddress {
      firstName lastName companyName streetAddress1 streetAddress2
      city cityArea postalCode country { code } countryArea
    }
  }
}
"""


@dataclass(frozen=True)
class Shop:
    name: str
    postal_address: tuple[str, ...]


_read: dict[int, tuple[float, Shop]] = {}


def shop_of(tenant: Tenant) -> Shop:
    now = time.monotonic()
    cached = _read.get(tenant.pk)
    if cached is not None and now - cached[0] < SHOP_TTL_SECONDS:
        return cached[1]
    shop = _shop(call(tenant, QUERY).get("shop") or {})
    _read[tenant.pk] = (now, shop)
    return shop


def forget() -> None:
    _read.clear()


def _shop(node: dict) -> Shop:
    address = node.get("companyAddress")
    lines: tuple[str, ...] = ()
    if address:
        lines = postal_lines(
            PostalAddress(
                name=" ".join(
                    filter(None, [address.get("firstName"), address.get("lastName")])
                ),
                company_name=address.get("companyName") or "",
                street_address_1=address.get("streetAddress1") or "",
                street_address_2=address.get("streetAddress2") or "",
                city=address.get("city") or "",
                city_area=address.get("cityArea") or "",
                postal_code=address.get("postalCode") or "",
                country_code=(address.get("country") or {}).get("code") or "",
                country_area=address.get("countryArea") or "",
            )
        )
    return Shop(name=str(node.get("name") or "").strip(), postal_address=lines)
