"""A real SMTP server on loopback (aiosmtpd) that counts what it receives.

The campaign benchmark sends through Django's SMTP backend to it, so each
email pays what it pays in a store: a connection, the SMTP dialogue, the DATA.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.smtp_inbox import serving


class Counter:
    """The server's handler: accepts every message and counts it."""

    def __init__(self) -> None:
        self.received = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.received += 1
        return "250 OK"


@contextmanager
def smtp_sink() -> Iterator[tuple[Counter, int]]:
    """Start a server on a free loopback port; yield its counter and port."""
    counter = Counter()
    with serving(counter) as port:
        yield counter, port
