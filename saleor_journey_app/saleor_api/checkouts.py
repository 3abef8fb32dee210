"""Checkouts as the campaign rules read them (``Host.read_checkouts``).

What the plugin reads from Saleor's tables, over GraphQL: the checkout's
owner, lines (product and variant names, 256 px thumbnails), total and last
change. Completing a checkout deletes it in Saleor: it reads as None (so no
checkout read here was ordered), as the plugin reads it.
"""

import uuid
from decimal import Decimal

from saleor_journey_plugin.core.host import Checkout, CheckoutLine
from saleor_journey_plugin.reports.money import parse_amount

from ..tenants.models import Tenant
from ..webhooks.translate import parse_time, pk_of
from .batch import read_each
from .calls import global_id

SELECTION = "{ ...JourneyCheckoutRead }"
FRAGMENT = """
fragment JourneyCheckoutRead on Checkout {
  token
  email
  lastChange
  user { id email }
  channel { slug }
  billingAddress { firstName }
  totalPrice { gross { amount currency } }
  lines {
    quantity
    totalPrice { gross { amount } }
    undiscountedUnitPrice { amount }
    variant { name product { name thumbnail(size: 256) { url } } }
  }
}
"""


def read_checkouts(tenant: Tenant, tokens: list[str]) -> dict[str, Checkout | None]:
    found: dict[str, Checkout | None] = dict.fromkeys(tokens)
    wanted = sorted({token for token in tokens if _is_token(token)})
    ids = [global_id("Checkout", token) for token in wanted]
    for token, node in zip(
        wanted, read_each(tenant, "checkout", SELECTION, ids, FRAGMENT), strict=True
    ):
        if node is not None:
            found[token] = _checkout(node)
    return found


def _checkout(node: dict) -> Checkout:
    user = node.get("user") or {}
    total = (node.get("totalPrice") or {}).get("gross") or {}
    return Checkout(
        token=str(node["token"]),
        channel=str((node.get("channel") or {}).get("slug") or ""),
        email=node.get("email") or user.get("email") or "",
        user_id=pk_of(user.get("id"), "User") or "",
        lines=tuple(_line(line) for line in node.get("lines") or []),
        total=_amount(total),
        currency=str(total.get("currency") or ""),
        last_change=parse_time(node.get("lastChange")),
        first_name=str((node.get("billingAddress") or {}).get("firstName") or ""),
    )


def _line(line: dict) -> CheckoutLine:
    variant = line.get("variant") or {}
    product = variant.get("product") or {}
    name = str(product.get("name") or "")
    quantity = int(line.get("quantity") or 0)
    # As the plugin: the line's total over its quantity, else the list price.
    total = _amount((line.get("totalPrice") or {}).get("gross") or {})
    if total and quantity:
        price = total / quantity
    else:
        price = _amount(line.get("undiscountedUnitPrice") or {})
    variant_name = str(variant.get("name") or "")
    return CheckoutLine(
        name=name,
        quantity=quantity,
        price=price,
        variant_name=variant_name if variant_name != name else "",
        image_url=str((product.get("thumbnail") or {}).get("url") or ""),
    )


def _amount(money: dict) -> Decimal:
    return parse_amount(money.get("amount")) or Decimal(0)


def _is_token(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
