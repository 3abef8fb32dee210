"""The campaign tests' loopback SMTP server and channels serve the opt-in mail too."""

import pytest
from django.core.cache import cache

from ..campaigns.conftest import channels, inbox, smtp  # noqa: F401


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()
