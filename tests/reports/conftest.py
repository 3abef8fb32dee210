import pytest

from .store import build_usd_store


@pytest.fixture
def usd_store(db):
    build_usd_store()
