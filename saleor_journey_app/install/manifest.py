"""The app's manifest, in Saleor 3.23's format (``saleor/app/manifest_schema.py``).

Saleor 3.23 reads an extension's place from ``mount`` and ``target`` and its
options from ``options`` (the GraphQL type shows them as ``mountName``,
``targetName`` and ``settings``).
"""

import saleor_journey_plugin

from .. import conf
from ..webhooks.subscriptions import SUBSCRIPTIONS

APP_ID = "saleor.journey"
# Read customers and write their metadata; orders and checkouts for their
# events and the campaign rules; discounts for single-use voucher codes.
PERMISSIONS = ["MANAGE_USERS", "MANAGE_ORDERS", "MANAGE_CHECKOUTS", "MANAGE_DISCOUNTS"]


def manifest() -> dict:
    base = conf.app_url()
    return {
        "id": APP_ID,
        "name": "Customer journey",
        "version": _version(),
        "about": (
            "Tags every customer with a journey stage (awareness to loyalty) from "
            "checkout, order and account events; journey map, KPIs, campaigns, "
            "loyalty and reviews."
        ),
        "requiredSaleorVersion": "^3.20",
        "permissions": PERMISSIONS,
        "appUrl": f"{base}/app/",
        "tokenTargetUrl": f"{base}/api/register",
        "author": "saleor-journey-plugin",
        "webhooks": [
            {
                "name": f"Journey {subscription.event.lower()}",
                "asyncEvents": [subscription.event],
                "query": subscription.query,
                "targetUrl": f"{base}/api/webhooks/{subscription.path}",
                "isActive": True,
            }
            for subscription in SUBSCRIPTIONS
        ],
        "extensions": [
            {
                "identifier": "journey-map",
                "label": "Customer journeys",
                "mount": "NAVIGATION_CUSTOMERS",
                "target": "APP_PAGE",
                "url": "/app/map/",
                "permissions": ["MANAGE_USERS"],
            },
            {
                "identifier": "customer-journey",
                "label": "Journey and points",
                "mount": "CUSTOMER_DETAILS_WIDGETS",
                "target": "WIDGET",
                "url": f"{base}/app/widgets/customer/",
                "permissions": ["MANAGE_USERS"],
                "options": {"widgetTarget": {"method": "GET"}},
            },
        ],
    }


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("saleor-journey-plugin")
    except PackageNotFoundError:
        return getattr(saleor_journey_plugin, "__version__", "0.1.0")
