"""A real SMTP server on loopback (aiosmtpd) that counts what it receives.

The campaign benchmark sends through Django's SMTP backend to it, so each
email pays what it pays in a store: a connection, the SMTP dialogue, the DATA.
"""

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aiosmtpd.controller import Controller


class Counter:
    """The server's handler: accepts every message and counts it."""

    def __init__(self) -> None:
        self.received = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.received += 1
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def smtp_sink() -> Iterator[tuple[Counter, int]]:
    """Start a server on a free loopback port; yield its counter and port."""
    counter = Counter()
    controller = Controller(counter, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield counter, controller.port
    finally:
        controller.stop()
