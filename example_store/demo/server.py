"""The example store's own web app, served on loopback while the demo runs.

Review deliveries and the clicks on campaign links are real HTTP requests to
the store's URLs (``example_store/urls.py``): the plugin's review webhook and
click redirect answer them as they would a review service or a customer.
"""

import logging
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from http.client import HTTPConnection
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from django.core.handlers.wsgi import WSGIHandler

HOST = "127.0.0.1"
TIMEOUT_SECONDS = 30


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass  # the demo prints what the answers mean, not an access log


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]
    body: bytes


class StoreServer:
    """The store at ``http://127.0.0.1:<port>``, one request at a time."""

    def __init__(self, server: WSGIServer) -> None:
        self._server = server
        self.port = server.server_port

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def request(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """Send one request; redirects are answers, not followed."""
        connection = HTTPConnection(HOST, self.port, timeout=TIMEOUT_SECONDS)
        try:
            connection.request(method, path, body=body, headers=dict(headers or {}))
            answer = connection.getresponse()
            return Response(
                status=answer.status,
                headers={name.lower(): value for name, value in answer.getheaders()},
                body=answer.read(),
            )
        finally:
            connection.close()


@contextmanager
def store_server() -> Iterator[StoreServer]:
    """Serve the store on an ephemeral loopback port until the block ends."""
    server = make_server(HOST, 0, WSGIHandler(), handler_class=_QuietHandler)
    thread = threading.Thread(
        target=server.serve_forever, name="example-store-http", daemon=True
    )
    # The demo's forged deliveries are refused on purpose (401): no warning
    # for each; a server error is still logged.
    requests = logging.getLogger("django.request")
    level = requests.level
    requests.setLevel(logging.ERROR)
    thread.start()
    try:
        yield StoreServer(server)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
        requests.setLevel(level)
