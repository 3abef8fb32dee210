import pytest

from .store import USD, build_usd_store


@pytest.fixture
def usd_store(db):
    build_usd_store()


@pytest.fixture
def new_york(db, settings):
    """web-usd counts its days in New York."""
    configured = settings.JOURNEY_CHANNELS
    settings.JOURNEY_CHANNELS = {
        **configured,
        USD: {**configured[USD], "time_zone": "America/New_York"},
    }
