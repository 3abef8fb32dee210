"""A stand-in for a Saleor instance: a real HTTP server on 127.0.0.1 serving
the JWKS at /.well-known/jwks.json and the few GraphQL operations the app
calls at /graphql/, signing webhooks as Saleor does (detached RS256 JWS with an
unencoded payload, RFC 7797)."""

import base64
import json
import re
import threading
import time
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

    def sign_jwt(self, claims: dict) -> str:
        """A JWT as Saleor's JWTManager encodes one (RS256, the key's kid)."""
        header = {"alg": "RS256", "typ": "JWT", "kid": self.kid}
        signing_input = ".".join(
            _b64(json.dumps(part, separators=(",", ":")).encode())
            for part in (header, claims)
        )
        signature = self.private.sign(
            signing_input.encode(), padding.PKCS1v15(), hashes.SHA256()
        )
        return f"{signing_input}.{_b64(signature)}"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(token: str) -> dict:
    try:
        part = token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (IndexError, ValueError):
        return {}


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
    # Staff members' permissions as Saleor reports them (``me``), by email;
    # a token of anyone else gets ``me: null`` (Saleor no longer accepts it).
    staff: dict[str, list[str]] = field(default_factory=dict)
    # Each voucher by ID: {"id", "endDate", "codes": [{"code", "used", "isActive"}]}.
    voucher_records: dict[str, dict] = field(default_factory=dict)
    # The store's past, as its GraphQL shows it (the backfill's and the reads'
    # nodes): users ({"id", ..., "isStaff", "isActive", "firstName"}),
    # checkouts and orders (each with the webhook fragment's fields and more).
    users: list[dict] = field(default_factory=list)
    checkouts: list[dict] = field(default_factory=list)
    orders: list[dict] = field(default_factory=list)
    # The shop (``shop { name companyAddress }``) and its products as a shopper
    # of a channel sees them, by slug: {"id", "name", "slug", "pricing",
    # "thumbnail", "variants": [variant IDs], "channels": [slugs]}.
    shop: dict = field(default_factory=dict)
    products: list[dict] = field(default_factory=list)
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
        self.staff = {}
        self.voucher_records = {}
        self.users = []
        self.checkouts = []
        self.orders = []
        self.shop = {}
        self.products = []

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

    def issue(
        self,
        user_pk: int,
        email: str,
        *,
        type: str = "access",
        is_staff: bool = False,
        expires_in: int = 300,
        key: SigningKey | None = None,
        **claims: Any,
    ) -> str:
        """A JWT with the claims Saleor 3.23 gives its tokens (core/jwt.py)."""
        now = int(time.time())
        payload = {
            "iat": now,
            "owner": "saleor",
            "iss": self.api_url,
            "exp": now + expires_in,
            "token": "jwt-token-key",
            "email": email,
            "type": type,
            "user_id": base64.b64encode(f"User:{user_pk}".encode()).decode(),
            "is_staff": is_staff,
            **claims,
        }
        return (key or self.key).sign_jwt(payload)

    def answer(self, request: dict, token: str) -> dict:
        query = request.get("query", "")
        variables = request.get("variables") or {}
        if "me {" in query and "userPermissions" in query:
            email = _claims(token).get("email")
            if email not in self.staff:
                return {"data": {"me": None}}
            codes = [{"code": code} for code in self.staff[email]]
            return {"data": {"me": {"id": "VXNlcjox", "userPermissions": codes}}}
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
        operation = re.match(r"\s*(?:query|mutation)\s+(\w+)", query)
        reader = getattr(self, f"_{operation.group(1)}", None) if operation else None
        if reader is not None:
            return {"data": reader(query, variables)}
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
            self.voucher_records[voucher["id"]] = {
                **voucher,
                "endDate": variables["input"].get("endDate"),
                "codes": [{"code": code, "used": 0, "isActive": True}],
            }
            return {"data": {"voucherCreate": {"voucher": voucher, "errors": []}}}
        if "voucherDelete" in query:
            self.vouchers_deleted.append(variables["id"])
            self.voucher_records.pop(variables["id"], None)
            return {"data": {"voucherDelete": {"errors": []}}}
        if "channels {" in query:
            channel = {"slug": "default-channel", "name": "Default Channel"}
            return {"data": {"channels": [{**channel, "currencyCode": "USD"}]}}
        if "channel(slug" in query:
            return {"data": {"channel": {"id": "Q2hhbm5lbDox"}}}
        if "voucherChannelListingUpdate" in query:
            return {"data": {"voucherChannelListingUpdate": {"errors": []}}}
        return {"data": None, "errors": [{"message": "unknown operation"}]}

    # --- the reads, by operation name: as Saleor 3.23 answers an app with
    # MANAGE_USERS, MANAGE_ORDERS, MANAGE_CHECKOUTS and MANAGE_DISCOUNTS ---

    def _JourneyBackfillCustomers(self, query: str, variables: dict) -> dict:
        where = variables.get("where") or {}
        rows = [u for u in self.users if self._visible(u)]
        for name, bound in where.items():
            rows = [u for u in rows if u[name] >= bound["gte"]]
        by = "dateJoined" if variables["sort"] == "CREATED_AT" else "updatedAt"
        rows.sort(key=lambda u: (u[by], u["id"]))
        fields = ("id", "email", "isConfirmed", "dateJoined", "updatedAt", "isStaff")
        return {"customers": _page([_only(u, fields) for u in rows], variables)}

    def _JourneyBackfillCheckouts(self, query: str, variables: dict) -> dict:
        rows = [
            c for c in self.checkouts if c["channel"]["slug"] == variables["channel"]
        ]
        since = ((variables.get("filter") or {}).get("updatedAt") or {}).get("gte")
        if since:
            rows = [c for c in rows if c["lastChange"][:10] >= since]
        rows.sort(key=lambda c: c["created"])
        return {"checkouts": _page(rows, variables)}

    def _JourneyBackfillOrders(self, query: str, variables: dict) -> dict:
        rows = [o for o in self.orders if o["channel"]["slug"] == variables["channel"]]
        since = ((variables.get("where") or {}).get("updatedAt") or {}).get("gte")
        if since:
            rows = [o for o in rows if o["updatedAt"] >= since]
        rows.sort(key=lambda o: o["created"])
        return {"orders": _page(rows, variables)}

    def _JourneyRead(self, query: str, variables: dict) -> dict:
        found: dict[str, Any] = {}
        for name, kind in re.findall(r"(n\d+): (\w+)\(id:", query):
            wanted = variables[name]
            if kind == "checkout":
                rows = [
                    c for c in self.checkouts if gid("Checkout", c["token"]) == wanted
                ]
            else:
                rows = [u for u in self.users if u["id"] == wanted and self._visible(u)]
            found[name] = rows[0] if rows else None
        return found

    def _JourneyCouponFind(self, query: str, variables: dict) -> dict:
        code = variables["code"]
        edges = [
            {"node": {**v, "codes": {"edges": [{"node": c} for c in v["codes"]]}}}
            for v in self.voucher_records.values()
            if any(c["code"] == code for c in v["codes"])
        ]
        return {"vouchers": {"edges": edges}}

    def _JourneyPaidOrders(self, query: str, variables: dict) -> dict:
        charge, owners = variables["where"]["AND"]
        rows = [
            o
            for o in self.orders
            if o["channel"]["slug"] == variables["channel"]
            and o["chargeStatus"] in charge["chargeStatus"]["oneOf"]
            and any(_owns(o, owner) for owner in owners["OR"])
        ]
        return {"orders": _page(rows, {"first": 100, **variables})}

    def _JourneyOrdersOfUser(self, query: str, variables: dict) -> dict:
        where = variables["where"]
        rows = [
            o
            for o in self.orders
            if o["id"] in where["ids"]
            and (o["user"] or {}).get("id") == where["user"]["eq"]
        ]
        return {"orders": {"totalCount": len(rows)}}

    def _JourneyShop(self, query: str, variables: dict) -> dict:
        return {"shop": self.shop}

    def _JourneyProducts(self, query: str, variables: dict) -> dict:
        found: dict[str, Any] = {}
        for name, field_name, argument in re.findall(
            r"(n\d+): (\w+)\((\w+): \$n\d+", query
        ):
            wanted = variables[name]
            rows = [
                product
                for product in self.products
                if variables["channel"] in product["channels"]
                and (
                    wanted in product["variants"]
                    if field_name == "productVariant"
                    else product[argument] == wanted
                )
            ]
            node = (
                {k: v for k, v in rows[0].items() if k not in ("variants", "channels")}
                if rows
                else None
            )
            if field_name == "productVariant" and node is not None:
                node = {"product": node}
            found[name] = node
        return found

    def _visible(self, user: dict) -> bool:
        """Without MANAGE_STAFF, Saleor shows staff only if they placed orders."""
        return not user["isStaff"] or any(
            (o["user"] or {}).get("id") == user["id"] for o in self.orders
        )

    def calls_of(self, operation: str) -> list[dict]:
        return [call for call in self.calls if operation in call["query"]]


def gid(kind: str, pk: object) -> str:
    return base64.b64encode(f"{kind}:{pk}".encode()).decode()


def _page(rows: list[dict], variables: dict) -> dict:
    """A Relay page: ``first`` rows after the cursor (a row's index)."""
    start = int(variables.get("after") or 0)
    end = start + variables["first"]
    return {
        "totalCount": len(rows),
        "pageInfo": {"hasNextPage": end < len(rows), "endCursor": str(end)},
        "edges": [{"node": row} for row in rows[start:end]],
    }


def _only(row: dict, fields: tuple[str, ...]) -> dict:
    return {name: row[name] for name in fields}


def _owns(order: dict, owner: dict) -> bool:
    if "userEmail" in owner:
        return order["userEmail"] == owner["userEmail"]["eq"]
    return (order["user"] or {}).get("id") == owner["user"]["eq"]
