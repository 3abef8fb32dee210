"""The channels the campaign tests run in, shared with the Celery worker's settings."""

CHANNEL = "web-usd"
CHECKOUT_URL = "https://shop.example.com/checkout?token={token}"
REVIEW_URL = "https://shop.example.com/orders/{order}/review"
SENDER = "Example Store <shop@example.com>"
STORE_URL = "https://journey.example.com"


def campaign_channels(**campaigns: object) -> dict:
    config: dict[str, object] = {
        "abandoned_checkout_enabled": "true",
        "win_back_enabled": "true",
        "review_request_enabled": "true",
        "checkout_url_template": CHECKOUT_URL,
        "review_url_template": REVIEW_URL,
        "sender_email": SENDER,
        **campaigns,
    }
    return {
        CHANNEL: {
            "preset": "standard",
            "language": "en",
            "currency": "USD",
            "store_name": "Example Store",
            "campaigns": config,
        },
        "web-krw": {
            "preset": "five_stage",
            "language": "ko",
            "time_zone": "Asia/Seoul",
            "currency": "KRW",
            "store_name": "예시 스토어",
            "campaigns": {**config, "abandoned_checkout_enabled": "false"},
        },
    }
