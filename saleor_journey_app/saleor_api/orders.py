"""Orders as reviews and identity joins ask about them, over GraphQL.

The same answers as the plugin's ``saleor_adapter/purchases.py``, which reads
Saleor's tables: a verified purchase is a line of a paid order of the
reviewer, answered with the product's global ID whatever name the review used
(a product or variant ID, a SKU), so a reward keyed on it is paid once; a
guest's order is the account's once Saleor shows it on the account.
"""

import uuid
from collections.abc import Iterator

from saleor_journey_plugin.core.events import normalize_email
from saleor_journey_plugin.core.queries import find_customer

from ..tenants.models import Tenant
from ..webhooks.translate import pk_of
from .calls import call, global_id

PAID = ["FULL", "OVERCHARGED"]
NOT_ORDERS = frozenset({"DRAFT", "CANCELED", "EXPIRED"})

PAID_ORDERS = """
query JourneyPaidOrders($channel: String, $where: OrderWhereInput, $after: String) {
  orders(first: 100, after: $after, channel: $channel, where: $where) {
    pageInfo { hasNextPage endCursor }
    edges {
      node {
        id
        number
        status
        lines { productSku variant { id sku product { id } } }
      }
    }
  }
}
"""
ORDERS_OF_USER = """
query JourneyOrdersOfUser($where: OrderWhereInput) {
  orders(first: 1, where: $where) { totalCount }
}
"""


def purchased_product(
    tenant: Tenant, channel: str, email: str, product: str, order: str
) -> str | None:
    email = normalize_email(email)
    if not email or not product:
        return None
    named = _order_name(order) if order else None
    if order and named is None:
        return None
    for node in _paid_orders(tenant, channel, email):
        if node.get("status") in NOT_ORDERS:
            continue
        if named is not None and named not in (
            pk_of(node.get("id"), "Order"),
            str(node.get("number")),
        ):
            continue
        for line in node.get("lines") or []:
            variant = line.get("variant")
            # A line whose variant was deleted no longer says which product.
            if variant and _names(line, variant, product):
                return str((variant.get("product") or {}).get("id"))
    return None


def has_any_order_of(tenant: Tenant, user_id: str, order_ids: list[str]) -> bool:
    ids = [global_id("Order", str(pk)) for pk in _uuids(order_ids)]
    if not ids or not (user_id.isascii() and user_id.isdigit()):
        return False
    where = {"ids": ids, "user": {"eq": global_id("User", user_id)}}
    data = call(tenant, ORDERS_OF_USER, {"where": where})
    return bool((data.get("orders") or {}).get("totalCount"))


def _paid_orders(tenant: Tenant, channel: str, email: str) -> Iterator[dict]:
    """Paid orders of the email's customer: as a guest, and its account's."""
    owners: list[dict] = [{"userEmail": {"eq": email}}]
    customer = find_customer(email=email)
    if customer is not None and customer.user_id and customer.user_id.isdigit():
        # The journey knows the account even where its email differs in case.
        owners.append({"user": {"eq": global_id("User", customer.user_id)}})
    # Saleor refuses AND/OR beside other fields of one filter object.
    where = {"AND": [{"chargeStatus": {"oneOf": PAID}}, {"OR": owners}]}
    after = None
    while True:
        variables = {"channel": channel, "where": where, "after": after}
        page = call(tenant, PAID_ORDERS, variables).get("orders") or {}
        for edge in page.get("edges") or []:
            yield edge["node"]
        info = page.get("pageInfo") or {}
        if not info.get("hasNextPage"):
            return
        after = info.get("endCursor")


def _names(line: dict, variant: dict, product: str) -> bool:
    """Whether ``product`` (a product's or variant's global ID, else a SKU)
    names this line."""
    product_id = (variant.get("product") or {}).get("id")
    if pk_of(product, "Product") is not None:
        return _same_id(product, product_id, "Product")
    if pk_of(product, "ProductVariant") is not None:
        return _same_id(product, variant.get("id"), "ProductVariant")
    return product in (line.get("productSku"), variant.get("sku"))


def _same_id(asked: str, has: object, kind: str) -> bool:
    # A key zero-padded or not names the same row, as Saleor reads it.
    mine, theirs = pk_of(asked, kind), pk_of(has, kind)
    return _int(mine) is not None and _int(mine) == _int(theirs)


def _int(key: str | None) -> int | None:
    return int(key) if key and key.isascii() and key.isdigit() else None


def _order_name(value: str) -> str | None:
    """An order's UUID or number, from its global ID, its UUID or number."""
    key = pk_of(value, "Order")
    if key is None and value.isascii() and value.isdigit():
        return str(int(value))
    uuids = _uuids([key or value])
    return str(uuids[0]) if uuids else None


def _uuids(values: list[str]) -> list[uuid.UUID]:
    found = []
    for value in values:
        try:
            found.append(uuid.UUID(value))
        except ValueError:
            continue
    return found
