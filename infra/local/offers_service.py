"""The local offers service: the external service of docs/architecture.md, faithful to its published
contract (the integration tests check it against that document), with offers that evolve and
injectable faults.

    python -m infra.local.offers_service --port 8080 [--tick-seconds 60] [--latency-ms 20] ...

API (as the real one, a FastAPI app, answers; errors are `{"detail": ...}`):

    POST /api/v1/auth                        header `Bearer: <refresh token>` -> 201 {"access_token"}
                                             401 wrong token, 400 while the last one is still valid,
                                             422 no Bearer header
    POST /api/v1/products/register           header `Bearer: <access token>`, {"id", "name",
                                             "description"} -> 201 {"id"}; 409, 422, 401
    GET  /api/v1/products/{uuid}/offers      -> 200 [{"id", "price", "items_in_stock"}]; 404, 422, 401

Offers evolve by ticks (every `tick_seconds`; 0 = never): at each tick, for each registered product,
some prices change, some stock sells, some offers sell out and disappear, new ones appear. Tick n of
a product is drawn from random.Random(f"{seed}:{product}:{n}"), so a seed gives the same history.

Control (for tests and benchmarks; not part of the contract):

    POST /_control  {"latency_ms": 20, "failure": "5xx"|"timeout"|"malformed"|"schema"|"401"|"down"|null,
                     "failure_rate": 1.0, "failure_status": 500, "hang_seconds": 30,
                     "only_products": [uuid, ...] | null, "tick_seconds": 60, "advance_ticks": 1,
                     "revoke_token": true, "forget_products": [uuid, ...], "reset": true,
                     "reset_stats": true}               -> 200 the resulting configuration
    GET  /_stats    -> 200 {"auth", "auth_refused", "tokens_issued", "register", "offers", "errors",
                            "faults", "products", "tick", "statuses": {"201": n, ...}}

Faults hit the API calls (not /_control, /_stats); with `only_products` only the register and
offers calls of those products. "timeout" holds the answer `hang_seconds` (then 504), "down" resets
the connection without answering, "malformed" answers 200 with invalid JSON, "schema" 200 with JSON
that breaks the contract's schema, "401" revokes the current access token and answers 401 (so a new
token may be requested, as after an expiry), "5xx" answers `failure_status`.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import logging
import random
import secrets
import socket
import socketserver
import struct
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from infra.local.settings import FAILURES, LocalSettings

logger = logging.getLogger("shopfloor.local.offers")

API = "/api/v1"
MAX_OFFERS = 8
_DEFAULT_HANG_SECONDS = 30.0


@dataclass(frozen=True)
class Offer:
    id: str
    price: int
    items_in_stock: int

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "price": self.price, "items_in_stock": self.items_in_stock}


def _new_offer(rng: random.Random, base_price: int) -> Offer:
    offer_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    price = max(1, int(base_price * rng.uniform(0.8, 1.25)))
    return Offer(offer_id, price, rng.randint(1, 200))


def initial_offers(seed: int, product_id: str) -> tuple[Offer, ...]:
    """A newly registered product's offers: 2 to 5 of them around one base price."""
    rng = random.Random(f"{seed}:{product_id}:initial")
    base_price = rng.randint(500, 50_000)
    return tuple(_new_offer(rng, base_price) for _ in range(rng.randint(2, 5)))


def next_offers(offers: tuple[Offer, ...], seed: int, product_id: str, tick: int) -> tuple[Offer, ...]:
    """The offers after tick `tick`: prices move, stock sells, sold-out offers go, new ones come."""
    rng = random.Random(f"{seed}:{product_id}:{tick}")
    evolved: list[Offer] = []
    for offer in offers:
        if rng.random() < 0.15:  # sold out: gone
            continue
        price, stock = offer.price, offer.items_in_stock
        if rng.random() < 0.4:
            price = max(1, round(price * rng.uniform(0.9, 1.1)))
        if rng.random() < 0.3:
            stock = max(1, stock - rng.randint(1, 5))
        evolved.append(Offer(offer.id, price, stock))
    base_price = offers[0].price if offers else rng.randint(500, 50_000)
    if not evolved or (len(evolved) < MAX_OFFERS and rng.random() < 0.3):
        evolved.append(_new_offer(rng, base_price))
    return tuple(evolved)


@dataclass(frozen=True)
class Faults:
    latency_ms: int = 0
    failure: str | None = None
    failure_rate: float = 1.0
    failure_status: int = 500
    hang_seconds: float = _DEFAULT_HANG_SECONDS
    only_products: frozenset[str] | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["only_products"] = sorted(self.only_products) if self.only_products is not None else None
        return data


@dataclass
class _Product:
    id: str
    name: str
    description: str
    tick: int  # the tick its offers were computed for
    offers: tuple[Offer, ...]


@dataclass
class _Stats:
    auth: int = 0
    auth_refused: int = 0
    tokens_issued: int = 0
    register: int = 0
    offers: int = 0
    errors: int = 0
    faults: int = 0
    statuses: Counter[str] = field(default_factory=Counter)


class _ValidationError(Exception):
    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes = b""
    content_type: str = "application/json"
    drop: bool = False  # reset the connection instead of answering

    @classmethod
    def json(cls, status: int, payload: Any) -> Reply:
        return cls(status, json.dumps(payload).encode())


class OffersService:
    """The service's state and rules, independent of HTTP (the handler below maps requests to it)."""

    def __init__(
        self,
        *,
        refresh_token: str = "local-refresh-token",
        token_ttl_seconds: float = 300.0,
        tick_seconds: float = 60.0,
        seed: int = 0,
        faults: Faults | None = None,
        state_file: Path | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.refresh_token = refresh_token
        self.token_ttl_seconds = token_ttl_seconds
        self.seed = seed
        self._clock = clock
        self._lock = threading.Lock()
        self._signing_key = secrets.token_bytes(32)
        self._token: str | None = None
        self._token_expires = 0.0
        self._tick_seconds = tick_seconds
        self._tick_origin = clock()
        self._tick_base = 0  # ticks passed before the last change of tick_seconds, plus advances
        self._initial_faults = faults or Faults()
        self._faults = self._initial_faults
        self._fault_rng = random.Random(f"{seed}:faults")
        self._products: dict[str, _Product] = {}
        self._stats = _Stats()
        self._state_file = state_file
        self.stopping = threading.Event()
        self._load()

    # --- time ---------------------------------------------------------------------------------

    def tick(self) -> int:
        with self._lock:
            return self._tick()

    def _tick(self) -> int:
        if self._tick_seconds <= 0:
            return self._tick_base
        return self._tick_base + int((self._clock() - self._tick_origin) / self._tick_seconds)

    def _set_tick_seconds(self, seconds: float) -> None:
        self._tick_base = self._tick()
        self._tick_origin = self._clock()
        self._tick_seconds = seconds

    # --- tokens -------------------------------------------------------------------------------

    def authenticate(self, refresh_token: str | None) -> Reply:
        with self._lock:
            self._stats.auth += 1
            if refresh_token is None:
                return _missing_header()
            if not hmac.compare_digest(refresh_token.encode(), self.refresh_token.encode()):
                return Reply.json(HTTPStatus.UNAUTHORIZED, {"detail": "Invalid refresh token"})
            now = self._clock()
            if self._token is not None and now < self._token_expires:
                self._stats.auth_refused += 1
                return Reply.json(
                    HTTPStatus.BAD_REQUEST,
                    {"detail": "Cannot generate access token because another is active"},
                )
            self._token = self._new_token(now)
            self._token_expires = now + self.token_ttl_seconds
            self._stats.tokens_issued += 1
            return Reply.json(HTTPStatus.CREATED, {"access_token": self._token})

    def _new_token(self, now: float) -> str:
        def encode(data: dict[str, Any]) -> str:
            return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

        header = encode({"alg": "HS256", "typ": "JWT"})
        payload = encode({"exp": int(time.time() + self.token_ttl_seconds), "jti": uuid.uuid4().hex})
        signature = hmac.new(self._signing_key, f"{header}.{payload}".encode(), hashlib.sha256).digest()
        return f"{header}.{payload}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"

    def _unauthorized(self, access_token: str | None) -> Reply | None:
        """401 unless `access_token` is the current, unexpired token (call with the lock held)."""
        if access_token is None or self._token is None:
            return Reply.json(HTTPStatus.UNAUTHORIZED, {"detail": "Missing or invalid access token"})
        if not hmac.compare_digest(access_token.encode(), self._token.encode()):
            return Reply.json(HTTPStatus.UNAUTHORIZED, {"detail": "Invalid access token"})
        if self._clock() >= self._token_expires:
            return Reply.json(HTTPStatus.UNAUTHORIZED, {"detail": "Access token expired"})
        return None

    def revoke_token(self) -> None:
        with self._lock:
            self._token = None

    # --- products -----------------------------------------------------------------------------

    def register(self, access_token: str | None, body: bytes) -> Reply:
        with self._lock:
            self._stats.register += 1
        try:
            request = _register_request(body)
        except _ValidationError as error:
            return Reply.json(HTTPStatus.UNPROCESSABLE_ENTITY, {"detail": error.errors})
        with self._lock:
            refused = self._unauthorized(access_token)
            if refused is not None:
                return refused
            product_id = request["id"]
            if product_id in self._products:
                return Reply.json(HTTPStatus.CONFLICT, {"detail": "Product ID already registered"})
            self._products[product_id] = _Product(
                product_id,
                request["name"],
                request["description"],
                self._tick(),
                initial_offers(self.seed, product_id),
            )
            self._save()
        return Reply.json(HTTPStatus.CREATED, {"id": product_id})

    def offers(self, access_token: str | None, raw_id: str) -> Reply:
        with self._lock:
            self._stats.offers += 1
        product_id = _uuid(raw_id)
        if product_id is None:
            return Reply.json(
                HTTPStatus.UNPROCESSABLE_ENTITY,
                {"detail": [_error(["path", "product_id"], "value is not a valid uuid", "type_error.uuid")]},
            )
        with self._lock:
            refused = self._unauthorized(access_token)
            if refused is not None:
                return refused
            product = self._products.get(product_id)
            if product is None:
                return Reply.json(HTTPStatus.NOT_FOUND, {"detail": "Product ID has not been registered"})
            offers = self._advance(product)
        return Reply.json(HTTPStatus.OK, [offer.to_json() for offer in offers])

    def current_offers(self, product_id: str) -> list[dict[str, Any]]:
        """What the offers call would answer now (for tests), without counting a call."""
        with self._lock:
            return [offer.to_json() for offer in self._advance(self._products[product_id])]

    def _advance(self, product: _Product) -> tuple[Offer, ...]:
        now = self._tick()
        while product.tick < now:
            product.tick += 1
            product.offers = next_offers(product.offers, self.seed, product.id, product.tick)
        return product.offers

    def forget(self, product_ids: list[str]) -> None:
        with self._lock:
            for raw in product_ids:
                self._products.pop(_uuid(raw) or raw, None)
            self._save()

    def registered(self) -> set[str]:
        with self._lock:
            return set(self._products)

    def _load(self) -> None:
        """Registrations survive a restart (the real service keeps them); offers start afresh."""
        if self._state_file is None or not self._state_file.exists():
            return
        try:
            saved = json.loads(self._state_file.read_text())
        except (OSError, ValueError) as error:
            logger.warning("ignoring %s: %s", self._state_file, error)
            return
        for item in saved.get("products", []):
            product_id = item["id"]
            offers = initial_offers(self.seed, product_id)
            self._products[product_id] = _Product(product_id, item["name"], item["description"], 0, offers)

    def _save(self) -> None:
        if self._state_file is None:
            return
        products = [
            {"id": p.id, "name": p.name, "description": p.description} for p in self._products.values()
        ]
        self._state_file.parent.mkdir(parents=True, exist_ok=True)
        temporary = self._state_file.with_suffix(".tmp")
        temporary.write_text(json.dumps({"products": products}))
        temporary.replace(self._state_file)

    # --- faults and statistics ----------------------------------------------------------------

    @property
    def faults(self) -> Faults:
        with self._lock:
            return self._faults

    def control(self, request: dict[str, Any]) -> dict[str, Any]:
        """Apply a /_control request (ValueError if it is not valid); the resulting configuration."""
        allowed = {f.name for f in Faults.__dataclass_fields__.values()} | {
            "tick_seconds",
            "advance_ticks",
            "revoke_token",
            "forget_products",
            "reset",
            "reset_stats",
        }
        unknown = sorted(set(request) - allowed)
        if unknown:
            raise ValueError(f"unknown control field(s): {', '.join(unknown)}")
        changes = _fault_changes(request)
        if request.get("forget_products"):
            self.forget(list(request["forget_products"]))
        with self._lock:
            faults = self._initial_faults if request.get("reset") else self._faults
            self._faults = replace(faults, **changes)
            if "tick_seconds" in request:
                self._set_tick_seconds(float(request["tick_seconds"]))
            if request.get("advance_ticks"):
                self._tick_base += int(request["advance_ticks"])
            if request.get("revoke_token"):
                self._token = None
            if request.get("reset_stats"):
                self._stats = _Stats()
            return {**self._faults.to_json(), "tick_seconds": self._tick_seconds, "tick": self._tick()}

    def stats(self) -> dict[str, Any]:
        with self._lock:
            stats = asdict(self._stats)
            stats["statuses"] = dict(self._stats.statuses)
            return {**stats, "products": len(self._products), "tick": self._tick()}

    def count_reply(self, status: int, *, fault: bool) -> None:
        with self._lock:
            self._stats.statuses[str(status)] += 1
            if status >= 400:
                self._stats.errors += 1
            if fault:
                self._stats.faults += 1

    def draw_fault(self, product_id: str | None) -> str | None:
        """The failure to inflict on this call, if any."""
        with self._lock:
            faults = self._faults
            if faults.failure is None:
                return None
            if faults.only_products is not None and (_uuid(product_id or "") not in faults.only_products):
                return None
            if self._fault_rng.random() >= faults.failure_rate:
                return None
            if faults.failure == "401":
                self._token = None
            return faults.failure


def _fault_changes(request: dict[str, Any]) -> dict[str, Any]:
    """The Faults fields a /_control request sets (ValueError for a bad value)."""
    changes: dict[str, Any] = {}
    if "latency_ms" in request:
        changes["latency_ms"] = int(request["latency_ms"])
    if "failure" in request:
        failure = request["failure"]
        if failure is not None and failure not in FAILURES:
            raise ValueError(f"failure must be one of {', '.join(FAILURES)} or null")
        changes["failure"] = failure
    if "failure_rate" in request:
        rate = float(request["failure_rate"])
        if not 0 <= rate <= 1:
            raise ValueError("failure_rate must be from 0 to 1")
        changes["failure_rate"] = rate
    if "failure_status" in request:
        changes["failure_status"] = int(request["failure_status"])
    if "hang_seconds" in request:
        changes["hang_seconds"] = float(request["hang_seconds"])
    if "only_products" in request:
        only = request["only_products"]
        changes["only_products"] = None if only is None else frozenset(_uuid(p) or p for p in only)
    return changes


def _missing_header() -> Reply:
    return Reply.json(
        HTTPStatus.UNPROCESSABLE_ENTITY,
        {"detail": [_error(["header", "Bearer"], "field required", "value_error.missing")]},
    )


def _error(loc: list[str | int], msg: str, kind: str) -> dict[str, Any]:
    return {"loc": loc, "msg": msg, "type": kind}


def _uuid(raw: str) -> str | None:
    try:
        return str(uuid.UUID(raw))
    except (ValueError, AttributeError, TypeError):
        return None


def _register_request(body: bytes) -> dict[str, str]:
    """The register body, validated as FastAPI (pydantic) would; _ValidationError if it is not valid."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        position = getattr(error, "pos", 0)
        raise _ValidationError([_error(["body", position], str(error), "value_error.jsondecode")]) from error
    if not isinstance(data, dict):
        raise _ValidationError([_error(["body"], "value is not a valid dict", "type_error.dict")])
    errors: list[dict[str, Any]] = []
    request: dict[str, str] = {}
    for name in ("id", "name", "description"):
        value = data.get(name)
        if name not in data or value is None:
            errors.append(_error(["body", name], "field required", "value_error.missing"))
        elif name == "id":
            product_id = _uuid(value) if isinstance(value, str) else None
            if product_id is None:
                errors.append(_error(["body", name], "value is not a valid uuid", "type_error.uuid"))
            else:
                request[name] = product_id
        elif isinstance(value, str | int | float) and not isinstance(value, bool):
            request[name] = str(value)  # pydantic v1 coerces numbers to str
        else:
            errors.append(_error(["body", name], "str type expected", "type_error.str"))
    if errors:
        raise _ValidationError(errors)
    return request


class OffersServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 512

    def __init__(self, host: str, port: int, service: OffersService) -> None:
        self.service = service
        super().__init__((host, port), _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)  # no FQDN lookup (see GatewayServer)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

    def start(self) -> threading.Thread:
        thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.1}, name="offers-service", daemon=True
        )
        thread.start()
        return thread

    def stop(self) -> None:
        self.service.stopping.set()
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without this, Nagle and delayed ACKs add 40 ms to each.
    disable_nagle_algorithm = True
    server: OffersServer

    def version_string(self) -> str:
        return "uvicorn"

    def log_message(self, format: str, *args: object) -> None:
        logger.debug("%s %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def _handle(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        path = self.path.split("?", 1)[0]
        service = self.server.service
        if path in ("/_control", "/_stats"):
            self._write(self._control(method, path, body))
            return
        route = _route(method, path)
        if isinstance(route, Reply):
            self._write(route)
            return
        operation, product_id = route
        if operation == "register":
            product_id = _body_id(body)
        faults = service.faults
        if faults.latency_ms:
            service.stopping.wait(faults.latency_ms / 1000)
        failure = service.draw_fault(product_id)  # with only_products, never the auth call
        if failure is not None:
            reply = self._fault(failure, faults)
            service.count_reply(reply.status, fault=True)
            self._write(reply)
            return
        bearer = self.headers.get("Bearer")
        if operation == "auth":
            reply = service.authenticate(bearer)
        elif operation == "register":
            reply = service.register(bearer, body)
        else:
            reply = service.offers(bearer, product_id or "")
        service.count_reply(reply.status, fault=False)
        self._write(reply)

    def _fault(self, failure: str, faults: Faults) -> Reply:
        if failure == "down":
            return Reply(0, drop=True)
        if failure == "timeout":
            self.server.service.stopping.wait(faults.hang_seconds)
            return Reply.json(HTTPStatus.GATEWAY_TIMEOUT, {"detail": "Gateway Timeout"})
        if failure == "malformed":
            return Reply(HTTPStatus.OK, b'[{"id": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "price": 12')
        if failure == "schema":
            return Reply.json(HTTPStatus.OK, [{"id": 42, "price": "cheap"}])
        if failure == "401":
            return Reply.json(HTTPStatus.UNAUTHORIZED, {"detail": "Access token expired"})
        return Reply.json(faults.failure_status, {"detail": "Internal Server Error"})

    def _control(self, method: str, path: str, body: bytes) -> Reply:
        service = self.server.service
        if path == "/_stats" and method == "GET":
            return Reply.json(HTTPStatus.OK, service.stats())
        if path == "/_control" and method == "GET":
            return Reply.json(HTTPStatus.OK, service.control({}))
        if path == "/_control" and method == "POST":
            try:
                request = json.loads(body or b"{}")
                if not isinstance(request, dict):
                    raise ValueError("the body must be a JSON object")
                return Reply.json(HTTPStatus.OK, service.control(request))
            except (ValueError, TypeError) as error:
                return Reply.json(HTTPStatus.BAD_REQUEST, {"detail": str(error)})
        return Reply.json(HTTPStatus.METHOD_NOT_ALLOWED, {"detail": "Method Not Allowed"})

    def _write(self, reply: Reply) -> None:
        if reply.drop:
            # An RST instead of an answer: the client sees "connection reset by peer".
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)


def _route(method: str, path: str) -> tuple[str, str | None] | Reply:
    """(operation, product id from the path) or the 404/405 FastAPI answers."""
    if path == f"{API}/auth":
        return ("auth", None) if method == "POST" else _not_allowed()
    if path == f"{API}/products/register":
        return ("register", None) if method == "POST" else _not_allowed()
    prefix, suffix = f"{API}/products/", "/offers"
    if path.startswith(prefix) and path.endswith(suffix) and len(path) > len(prefix) + len(suffix):
        product_id = path[len(prefix) : -len(suffix)]
        if "/" not in product_id:
            return ("offers", product_id) if method == "GET" else _not_allowed()
    return Reply.json(HTTPStatus.NOT_FOUND, {"detail": "Not Found"})


def _not_allowed() -> Reply:
    return Reply.json(HTTPStatus.METHOD_NOT_ALLOWED, {"detail": "Method Not Allowed"})


def _body_id(body: bytes) -> str | None:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    value = data.get("id") if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


def service_from_settings(settings: LocalSettings, state_file: Path | None = None) -> OffersService:
    return OffersService(
        refresh_token=settings.offers_refresh_token,
        token_ttl_seconds=settings.offers_token_ttl_seconds,
        tick_seconds=settings.offers_tick_seconds,
        seed=settings.offers_seed,
        faults=Faults(
            latency_ms=settings.offers_latency_ms,
            failure=settings.offers_failure,
            failure_rate=settings.offers_failure_rate,
        ),
        state_file=state_file,
    )


def main(argv: list[str] | None = None) -> int:
    from infra.local.errors import LocalCloudError

    try:
        settings = LocalSettings.from_environ()
    except LocalCloudError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    parser = argparse.ArgumentParser(
        prog="python -m infra.local.offers_service",
        description="The local offers service (defaults from SHOPFLOOR_OFFERS_* settings).",
    )
    parser.add_argument("--host", default=settings.host)
    parser.add_argument("--port", type=int, default=settings.offers_port)
    parser.add_argument("--refresh-token", default=settings.offers_refresh_token)
    parser.add_argument("--token-ttl-seconds", type=float, default=settings.offers_token_ttl_seconds)
    parser.add_argument("--tick-seconds", type=float, default=settings.offers_tick_seconds)
    parser.add_argument("--seed", type=int, default=settings.offers_seed)
    parser.add_argument("--latency-ms", type=int, default=settings.offers_latency_ms)
    parser.add_argument("--failure", choices=FAILURES, default=settings.offers_failure)
    parser.add_argument("--failure-rate", type=float, default=settings.offers_failure_rate)
    parser.add_argument("--state-file", type=Path, default=None, help="keep registrations in this file")
    args = parser.parse_args(argv)
    service = OffersService(
        refresh_token=args.refresh_token,
        token_ttl_seconds=args.token_ttl_seconds,
        tick_seconds=args.tick_seconds,
        seed=args.seed,
        faults=Faults(latency_ms=args.latency_ms, failure=args.failure, failure_rate=args.failure_rate),
        state_file=args.state_file,
    )
    try:
        server = OffersServer(args.host, args.port, service)
    except OSError as error:
        print(f"error: the offers service cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 1
    print(f"offers service on {server.url} (Ctrl-C stops it)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        service.stopping.set()
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
