"""The app's manifest, in Saleor 3.23's format (``saleor/app/manifest_schema.py``).

Saleor 3.23 reads an extension's place from ``mount`` and ``target`` and its
options from ``options`` (the GraphQL type shows them as ``mountName``,
``targetName`` and ``settings``).

How saleor-dashboard 3.23 opens them decides their URLs:

- An ``APP_PAGE``'s ``url`` is a path under ``appUrl``: the Dashboard shows it
  at ``/extensions/app/<id><url>`` and frames ``urlJoin(appUrl, url)``
  (``ExtensionsUrls.resolveAppCompleteUrlFromDashboardUrl`` in
  ``src/extensions/urls.ts``), so ``/map/`` is ``<appUrl>map``; ``/app/map/``
  would be ``/app/app/map``.
- A ``WIDGET`` is framed with GET unless ``widgetTarget.method`` is ``POST``
  (``AppWidgetExtensionItem.tsx``); GET appends ``?domain, saleorApiUrl, id,
  customerId, featureFlags, theme`` (``resolveAppIframeUrl``) and hands the
  token over by the AppBridge handshake, POST would put ``accessToken`` in a
  form body the page would have to render on the server.

``urlJoin`` (url-join 4) drops the slash before ``?``, so the Dashboard asks
for ``/app``, ``/app/map`` and ``/app/widgets/customer``; the app serves
them with or without it.
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
                "url": "/map/",
                "permissions": ["MANAGE_USERS"],
            },
            {
                "identifier": "customer-journey",
                "label": "Journey and points",
                "mount": "CUSTOMER_DETAILS_WIDGETS",
                "target": "WIDGET",
                "url": f"{base}/app/widgets/customer/",
                "permissions": ["MANAGE_USERS"],
                # Said outright: a widget without a method is framed with GET,
                # but the Dashboard's defaults for absent options say POST
                # (appExtensionManifestOptionsSchemaWithDefault).
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
