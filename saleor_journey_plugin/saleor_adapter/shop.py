"""What campaign emails say about the shop and its customers, from Saleor."""

from django.contrib.sites.models import Site
from saleor.account.models import User
from saleor.site.models import SiteSettings

from ..campaigns.mail.address import PostalAddress, postal_lines


def first_name(user_id: str) -> str:
    if not user_id.isascii() or not user_id.isdigit():
        return ""
    found = User.objects.filter(pk=int(user_id)).values_list("first_name", flat=True)
    return (found.first() or "").strip()


def postal_address() -> tuple[str, ...]:
    """The site's company address (Dashboard > Configuration > Site settings)."""
    site = SiteSettings.objects.select_related("company_address").get(
        site=Site.objects.get_current()
    )
    address = site.company_address
    if address is None:
        return ()
    return postal_lines(
        PostalAddress(
            name=" ".join(filter(None, [address.first_name, address.last_name])),
            company_name=address.company_name,
            street_address_1=address.street_address_1,
            street_address_2=address.street_address_2,
            city=address.city,
            city_area=address.city_area,
            postal_code=address.postal_code,
            country_code=address.country.code,
            country_area=address.country_area,
        )
    )
