"""Settings of the Celery worker the end-to-end campaign test starts."""

import os

from tests.settings import *  # noqa: F403

from .channels import STORE_URL, campaign_channels

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ.get("CAMPAIGN_TEST_SMTP_PORT", "25"))
EXAMPLE_STORE_URL = STORE_URL
JOURNEY_CHANNELS = campaign_channels()
