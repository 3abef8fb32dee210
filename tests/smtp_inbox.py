"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives.

Plain Python, no Django: the main suite's campaign tests and the tests inside
a real Saleor (tests/saleor) start it; the campaign benchmark starts its
counting server with ``serving``.
"""

import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage

from aiosmtpd.controller import Controller


@dataclass
class Inbox:
    """What the SMTP server received; ``refuse`` makes it answer 5xx N times."""

    messages: list[EmailMessage] = field(default_factory=list)
    refuse: int = 0
    refusals: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.refuse:
                self.refuse -= 1
                self.refusals += 1
                return "554 Transaction failed: try later"
            self.messages.append(
                email.message_from_bytes(envelope.content, policy=email.policy.default)
            )
        return "250 OK"

    def wait_for(self, count: int, seconds: float = 30) -> list[EmailMessage]:
        deadline = datetime.now() + timedelta(seconds=seconds)
        while datetime.now() < deadline and len(self.messages) < count:
            threading.Event().wait(0.05)
        return self.messages


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(handler: object) -> Iterator[int]:
    """Serve SMTP on a free loopback port with aiosmtpd ``handler``; yield the
    port (the benchmark's counting server starts here too)."""
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()


@contextmanager
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    """Start a server on a free loopback port; yield its inbox and port."""
    inbox = Inbox()
    with serving(inbox) as port:
        yield inbox, port


def use_smtp(settings, port: int) -> None:
    """Point Django's email at the loopback server."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_TIMEOUT = 5
