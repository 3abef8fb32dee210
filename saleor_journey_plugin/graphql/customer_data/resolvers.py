from typing import Any

from ...core.export import export_customer
from ..customer_lookup import identified_customer


def resolve_customer_data_export(
    info, email: str | None, user_id: str | None
) -> dict[str, Any] | None:
    customer = identified_customer(email, user_id)
    if customer is None:
        return None
    return export_customer(customer, info.context.channel)
