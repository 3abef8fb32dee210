"""Fixtures of the app's tests: two fake Saleors, each an installed tenant.

Under any other settings (the main suite's) nothing here is collected: this
folder runs with -c tests/app/pytest.ini (see there).
"""

import base64
import json
import os
from collections.abc import Iterator

import pytest

APP_SETTINGS = "tests.app.settings"
ACTIVE = os.environ.get("DJANGO_SETTINGS_MODULE") == APP_SETTINGS

if not ACTIVE:
    collect_ignore_glob = ["test_*.py"]
else:
    from django.utils import timezone

    from saleor_journey_app import jwks
    from saleor_journey_app.auth import staff
    from saleor_journey_app.saleor_api import shop
    from saleor_journey_app.tenants.models import Tenant
    from saleor_journey_app.tenants.schemas import create_schema

    from .fake_saleor import FakeSaleor

    CHANNEL = "default-channel"

    @pytest.fixture(scope="session")
    def saleors() -> Iterator[tuple[FakeSaleor, FakeSaleor]]:
        first = FakeSaleor(token="token-of-saleor-a-Zq81", app_id="QXBwOjE=").start()
        second = FakeSaleor(token="token-of-saleor-b-Kp27", app_id="QXBwOjI=").start()
        yield first, second
        first.stop()
        second.stop()

    @pytest.fixture(scope="session")
    def django_db_setup(django_db_setup, django_db_blocker, saleors):
        """Both Saleors installed, each with its schema, once per session."""
        with django_db_blocker.unblock():
            for saleor in saleors:
                tenant, _ = Tenant.objects.update_or_create(
                    saleor_api_url=saleor.api_url,
                    defaults={
                        "app_token": saleor.token,
                        "saleor_app_id": saleor.app_id,
                        "channels": {CHANNEL: {"currency": "USD"}},
                        "registered_at": timezone.now(),
                    },
                )
                create_schema(tenant)

    @pytest.fixture(autouse=True)
    def _fresh_keys(saleors):
        jwks.forget_keys()
        staff.forget()
        shop.forget()
        for saleor in saleors:
            saleor.reset()

    @pytest.fixture
    def saleor_a(saleors) -> FakeSaleor:
        return saleors[0]

    @pytest.fixture
    def saleor_b(saleors) -> FakeSaleor:
        return saleors[1]

    @pytest.fixture
    def tenant_a(db, saleor_a) -> Tenant:
        return Tenant.objects.get(saleor_api_url=saleor_a.api_url)

    @pytest.fixture
    def tenant_b(db, saleor_b) -> Tenant:
        return Tenant.objects.get(saleor_api_url=saleor_b.api_url)


def gid(kind: str, pk: object) -> str:
    return base64.b64encode(f"{kind}:{pk}".encode()).decode()


def deliver(client, saleor, event: str, payload: dict, **overrides):
    """POST a webhook as ``saleor`` signs and sends it; overrides replace the
    body (bytes), the signature, or the Saleor-Api-Url header."""
    body = overrides.get("body") or json.dumps(payload).encode()
    signed = overrides.get("signed_body", body)
    headers = {
        "HTTP_SALEOR_API_URL": overrides.get("api_url", saleor.api_url),
        "HTTP_SALEOR_SIGNATURE": overrides.get("signature")
        or overrides.get("key", saleor.key).sign(signed),
        "HTTP_SALEOR_EVENT": event.lower().replace("-", "_"),
    }
    return client.post(
        f"/api/webhooks/{event}", data=body, content_type="application/json", **headers
    )
