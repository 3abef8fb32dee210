"""The demo channels' campaign, loyalty and review settings, as a store sets them.

The values are the dashboard's fields by the dashboard's names and as text
(the example store keeps them in ``JOURNEY_CHANNELS``), checked by the same
validation the dashboard runs before they are used.
"""

import copy
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test.utils import override_settings

from saleor_journey_plugin.campaigns import settings as campaigns
from saleor_journey_plugin.loyalty import settings as loyalty
from saleor_journey_plugin.reviews.signature import secrets_error

# Demo secrets, published here on purpose: a real store's are secret. Both are
# base64 keys; web-usd has the whsec_ prefix review services add, web-krw not.
REVIEW_SECRETS = {
    "web-usd": "whsec_ZXhhbXBsZS1zdG9yZS1kZW1vLXJldmlldy1zZWNyZXQ=",
    "web-krw": "ZXhhbXBsZS1zdG9yZS1kZW1vLWtydy1yZXZpZXctc2VjcmV0",
}

_CAMPAIGNS_ON = {
    "abandoned_checkout_enabled": "true",
    "abandoned_checkout_steps": "1h, 24h:10%, 72h",
    "win_back_enabled": "true",
    "win_back_steps": "0h:15%, 14d",
    "review_request_enabled": "true",
    "review_request_steps": "7d",
    "coupon_valid_days": "7",
    "min_hours_between_emails": "24",
    "attribution_days": "7",
}

CHANNELS: dict[str, dict[str, Any]] = {
    "web-usd": {
        "store_name": "Slow Wear",
        "campaigns": {
            **_CAMPAIGNS_ON,
            "checkout_url_template": "https://shop.example.com/checkout?token={token}",
            "review_url_template": "https://shop.example.com/orders/{order}/review",
            "sender_email": "Slow Wear <hello@shop.example.com>",
            # Shown the products they looked at, four hours after the last.
            "browse_abandonment_enabled": "true",
            "browse_abandonment_steps": "4h",
            "browse_abandonment_product_url_template": (
                "https://shop.example.com/products/{slug}"
            ),
        },
        # 1 point per dollar, worth a cent: 1% back, more in higher tiers.
        "loyalty": {
            "loyalty_enabled": "true",
            "points_per_unit": "1",
            "point_value": "0.01",
            "min_redeem_points": "500",
            "review_points": "50",
            "points_expire_days": "365",
            "tiers": "Bronze:0:1, Silver:400:1.25, Gold:1000:1.5",
        },
    },
    "web-krw": {
        "store_name": "슬로우웨어",
        "campaigns": {
            **_CAMPAIGNS_ON,
            "checkout_url_template": "https://shop.example.kr/checkout?token={token}",
            "review_url_template": "https://shop.example.kr/orders/{order}/review",
            "sender_email": "슬로우웨어 <hello@shop.example.kr>",
        },
        # 1 point per won, worth 0.01 won: 1% back; points last 60 days here.
        "loyalty": {
            "loyalty_enabled": "true",
            "points_per_unit": "1",
            "point_value": "0.01",
            "min_redeem_points": "100000",
            "review_points": "5000",
            "points_expire_days": "60",
            "tiers": "브론즈:0:1, 실버:300000:1.25, 골드:800000:1.5",
        },
    },
}


def check(channel: str, values: Mapping[str, Any]) -> dict[str, str]:
    """The dashboard's complaints about a channel's campaign and loyalty fields."""
    found = dict(campaigns.errors(values["campaigns"]))
    found.update(loyalty.errors(values["loyalty"]))
    problem = secrets_error(REVIEW_SECRETS[channel])
    if problem:
        found["review_webhook_secrets"] = problem
    return found


@contextmanager
def demo_channels(store_url: str) -> Iterator[dict[str, dict[str, Any]]]:
    """The channels with campaigns, loyalty and review secrets on, and links to
    ``store_url``, until the block ends; yields the channels' configuration."""
    channels = copy.deepcopy(settings.JOURNEY_CHANNELS)
    for channel, values in CHANNELS.items():
        problems = check(channel, values)
        if problems:
            raise ImproperlyConfigured(
                f"The demo's settings of {channel} are refused: "
                + " ".join(problems.values())
            )
        channels[channel] = {
            **channels[channel],
            **copy.deepcopy(values),
            "review_webhook_secrets": REVIEW_SECRETS[channel],
        }
    with override_settings(JOURNEY_CHANNELS=channels, EXAMPLE_STORE_URL=store_url):
        yield channels
