"""A stand-in for a Saleor instance: a real HTTP server on 127.0.0.1 serving
the JWKS at /.well-known/jwks.json and the few GraphQL operations the app
calls at /graphql/, signing webhooks as Saleor does (detached RS256 JWS with an
unencoded payload, RFC 7797)."""

import base64
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from joserfc.jwk import RSAKey


@dataclass
class SigningKey:
    kid: str
    private: rsa.RSAPrivateKey

    @classmethod
    def new(cls, kid: str) -> "SigningKey":
        return cls(kid, rsa.generate_private_key(public_exponent=65537, key_size=2048))

    def jwk(self) -> dict:
        pem = self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        key = dict(RSAKey.import_key(pem).as_dict(private=False))
        return {**key, "kid": self.kid, "use": "sig", "alg": "RS256"}

    def sign(self, body: bytes) -> str:
        header = {"alg": "RS256", "b64": False, "crit": ["b64"], "kid": self.kid}
        encoded = _b64(json.dumps(header, separators=(",", ":")).encode())
        signature = self.private.sign(
            encoded.encode() + b"." + body, padding.PKCS1v15(), hashes.SHA256()
        )
        return f"{encoded}..{_b64(signature)}"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class FakeSaleor:
    token: str
    app_id: str
    identifier: str = "saleor.journey"
    key: SigningKey = field(default_factory=lambda: SigningKey.new("key-1"))
    published: list[SigningKey] = field(default_factory=list)
    jwks_fetches: int = 0
    calls: list[dict] = field(default_factory=list)
    # Answer this many GraphQL requests with HTTP 503 first.
    failures: int = 0
    codes: set[str] = field(default_factory=set)
    vouchers: int = 0
    vouchers_deleted: list[str] = field(default_factory=list)
    voucher_of_code: dict[str, str] = field(default_factory=dict)
    _server: ThreadingHTTPServer | None = None

    def __post_init__(self) -> None:
        self.published = [self.key]
        self._issued_token = self.token

    @property
    def api_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/graphql/"

    def reset(self) -> None:
        self.token = self._issued_token
        self.key = SigningKey.new("key-1")
        self.published = [self.key]
        self.jwks_fetches = 0
        self.calls = []
        self.failures = 0
        self.codes = set()
        self.vouchers = 0
        self.vouchers_deleted = []
        self.voucher_of_code = {}

    def start(self) -> "FakeSaleor":
        saleor = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                if self.path != "/.well-known/jwks.json":
                    self._send(404, {})
                    return
                saleor.jwks_fetches += 1
                self._send(200, {"keys": [key.jwk() for key in saleor.published]})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request = json.loads(self.rfile.read(length))
                token = (self.headers.get("Authorization") or "").removeprefix(
                    "Bearer "
                )
                saleor.calls.append({**request, "token": token})
                if saleor.failures:
                    saleor.failures -= 1
                    self._send(503, {"error": "unavailable"})
                    return
                self._send(200, saleor.answer(request, token))

            def _send(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def answer(self, request: dict, token: str) -> dict:
        query = request.get("query", "")
        variables = request.get("variables") or {}
        known = token == self.token
        if "app {" in query and "AppId" in query:
            app = {"id": self.app_id, "identifier": self.identifier}
            return {"data": {"app": app if known else None}}
        if not known:
            return {
                "data": None,
                "errors": [
                    {
                        "message": "You need one of: MANAGE_USERS",
                        "extensions": {"exception": {"code": "PermissionDenied"}},
                    }
                ],
            }
        if "updateMetadata" in query:
            return {"data": {"updateMetadata": {"errors": []}}}
        if "voucherCreate" in query:
            # As 3.23: the code comes with the voucher, and must be new.
            (code,) = variables["input"]["addCodes"]
            if code in self.codes:
                error = {
                    "field": "codes",
                    "code": "ALREADY_EXISTS",
                    "message": "Promo code already exists.",
                }
                return {"data": {"voucherCreate": {"voucher": None, "errors": [error]}}}
            self.vouchers += 1
            voucher = {"id": f"Vm91Y2hlcjo{self.vouchers}"}
            self.codes.add(code)
            self.voucher_of_code[code] = voucher["id"]
            return {"data": {"voucherCreate": {"voucher": voucher, "errors": []}}}
        if "JourneyCouponFind" in query:
            code = variables["code"]
            edges = (
                [
                    {
                        "node": {
                            "id": self.voucher_of_code[code],
                            "endDate": None,
                            "codes": {"edges": [{"node": {"code": code, "used": 0}}]},
                        }
                    }
                ]
                if code in self.voucher_of_code
                else []
            )
            return {"data": {"vouchers": {"edges": edges}}}
        if "voucherDelete" in query:
            self.vouchers_deleted.append(variables["id"])
            return {"data": {"voucherDelete": {"errors": []}}}
        if "channel(slug" in query:
            return {"data": {"channel": {"id": "Q2hhbm5lbDox"}}}
        if "voucherChannelListingUpdate" in query:
            return {"data": {"voucherChannelListingUpdate": {"errors": []}}}
        return {"data": None, "errors": [{"message": "unknown operation"}]}

    def calls_of(self, operation: str) -> list[dict]:
        return [call for call in self.calls if operation in call["query"]]
