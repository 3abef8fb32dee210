"""The Saleor App's manifest, as Saleor 3.23 itself validates it on install."""

import copy

import pytest
from saleor.app.manifest_validations import clean_manifest_data
from saleor.webhook.event_types import WebhookEventAsyncType

from saleor_journey_app.install.manifest import manifest
from saleor_journey_app.webhooks.subscriptions import SUBSCRIPTIONS


@pytest.mark.django_db
def test_saleor_accepts_the_apps_manifest():
    # given the manifest the app serves at /api/manifest
    data = copy.deepcopy(manifest())

    # when Saleor cleans it as appInstall / install_app do (every subscription
    # query checked against Saleor's own schema)
    clean_manifest_data(data, raise_for_saleor_version=True)

    # then the four permissions exist, and nothing more is asked for
    assert sorted(permission.codename for permission in data["permissions"]) == [
        "manage_checkouts",
        "manage_discounts",
        "manage_orders",
        "manage_users",
    ]
    # each webhook is the one async event its subscription names
    assert [webhook["events"] for webhook in data["webhooks"]] == [
        [getattr(WebhookEventAsyncType, subscription.event)]
        for subscription in SUBSCRIPTIONS
    ]
    # and the two extensions sit where the Dashboard shows them
    assert [
        (extension["mount"], extension["target"], extension["identifier"])
        for extension in data["extensions"]
    ] == [
        ("navigation_customers", "app_page", "journey-map"),
        ("customer_details_widgets", "widget", "customer-journey"),
    ]
    assert data["requiredSaleorVersion"]["satisfied"] is True
