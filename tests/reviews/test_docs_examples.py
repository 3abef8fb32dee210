"""The signing examples in docs/review-webhook-quickstart.md work against the
plugin's verifier."""

import json
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from saleor_journey_plugin.reviews.models import Review
from saleor_journey_plugin.reviews.signature import verify

from .conftest import CHANNEL, SECRET, WHSEC, use_secrets

DOC = Path(__file__).resolve().parents[2] / "docs" / "review-webhook-quickstart.md"


@pytest.fixture
def live_server():
    """The example store on a free loopback port (as tests/browser/ serves it:
    Django's test server reads STATIC_URL once, as it starts)."""
    from django.test.utils import override_settings
    from pytest_django.live_server_helper import LiveServer

    with override_settings(STATIC_URL="/static/"):
        server = LiveServer("127.0.0.1:0")
    yield server
    server.stop()


def code_block(language):
    blocks = re.findall(rf"```{language}\n(.*?)```", DOC.read_text(), re.DOTALL)
    assert len(blocks) == 1, f"one {language} block expected in {DOC.name}"
    return blocks[0]


@pytest.mark.parametrize("secret", [SECRET, WHSEC])
def test_the_python_example_signs_what_the_plugin_verifies(secret):
    # given: the documented snippet, run as written
    namespace: dict = {}
    exec(code_block("python"), namespace)
    body = json.dumps({"review_id": "rv-9", "rating": 4}).encode()
    now = int(time.time())

    # when
    headers = namespace["sign_review"](secret, body, webhook_id="msg_9", timestamp=now)

    # then
    delivery = verify(headers, body, [secret], now)
    assert (delivery.webhook_id, delivery.timestamp) == ("msg_9", now)
    # and the snippet's own example headers are complete
    assert set(namespace["headers"]) == {
        "webhook-id",
        "webhook-timestamp",
        "webhook-signature",
    }


@pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("bash", "openssl", "curl", "base64")),
    reason="the curl example needs bash, openssl, curl and base64",
)
@pytest.mark.parametrize("secret", [SECRET, WHSEC], ids=["plain", "whsec_"])
def test_the_curl_example_is_accepted(live_server, settings, secret):
    # given: the documented commands, pointed at the example store
    use_secrets(settings, secret)
    script = code_block("sh")
    script = re.sub(r"^SHOP=.*$", f"SHOP={live_server.url}", script, flags=re.M)
    script = re.sub(r"^CHANNEL=.*$", f"CHANNEL={CHANNEL}", script, flags=re.M)
    script = re.sub(r"^SECRET=.*$", f"SECRET='{secret}'", script, flags=re.M)

    # when
    run = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, timeout=30
    )

    # then
    assert json.loads(run.stdout) == {
        "status": "created",
        "review_id": "rv-1001",
        "version": 1,
        "verified": False,
    }
    assert list(Review.objects.values_list("rating", "order", "product")) == [
        (5, "1042", "MUG-RED")
    ]
