"""Where the campaign emails go: an SMTP server on loopback, or the console.

``smtp`` (the default) starts an aiosmtpd server on 127.0.0.1 and points
Django's SMTP backend at it, so every email leaves through a real SMTP
conversation; the server keeps what it received. ``console`` prints each
email with Django's console backend instead.
"""

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller
from django.test.utils import override_settings

EMAIL_CHOICES = ("smtp", "console")
ENVIRONMENT = "EXAMPLE_STORE_DEMO_EMAIL"
HOST = "127.0.0.1"
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"


def default_email() -> str:
    """``EXAMPLE_STORE_DEMO_EMAIL`` if set, else smtp."""
    return os.environ.get(ENVIRONMENT, "").strip().lower() or "smtp"


@dataclass
class Mailbox:
    """What the demo's mail went to; ``messages`` only when it is a server."""

    kind: str
    port: int | None = None
    messages: list[Message] = field(default_factory=list)

    @property
    def where(self) -> str:
        if self.kind == "smtp":
            return "the demo's SMTP server on loopback (aiosmtpd)"
        return "the console (Django's console email backend)"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.original_content))
        return "250 Message accepted for delivery"


@contextmanager
def mailbox(kind: str) -> Iterator[Mailbox]:
    """Send the demo's emails the ``kind`` way until the block ends."""
    if kind not in EMAIL_CHOICES:
        raise ValueError(f"Email goes by {' or '.join(EMAIL_CHOICES)}, not {kind!r}.")
    box = Mailbox(kind)
    if kind == "console":
        with override_settings(EMAIL_BACKEND=CONSOLE_BACKEND):
            yield box
        return
    box.port = _free_port()
    controller = Controller(box, hostname=HOST, port=box.port)
    controller.start()
    try:
        with override_settings(
            EMAIL_BACKEND=SMTP_BACKEND,
            EMAIL_HOST=HOST,
            EMAIL_PORT=box.port,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            EMAIL_TIMEOUT=10,
        ):
            yield box
    finally:
        controller.stop()


def _free_port() -> int:
    # aiosmtpd checks its server by connecting to the port it was given, so it
    # needs a number: one the system hands out as free.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])
