"""The local API gateway: HTTP in, API Gateway REST proxy event to the owning function, HTTP out.

It answers as the deployed API does: 404 `{"message": "Not found."}` for an unknown path, 405
`{"message": "Method not allowed."}` with `Allow` for a known path and another method, 401
`{"message": "Unauthorized."}` on a signed-in route without a token the authorizer accepts (the
function is not invoked; infra.local.authorizer), and 502 `{"message": "Internal server error."}`
when the function fails or answers something malformed. Given a site, it also serves the web pages
at `/app/` on the same port (infra.local.site), as CloudFront does on the API's domain. Bodies are
gzipped as API Gateway and CloudFront gzip them (infra.local.compression).
"""

from __future__ import annotations

import logging
import socketserver
import sys
import threading
import time
import uuid
from collections.abc import Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from infra.constants import MESSAGE_METHOD_NOT_ALLOWED, MESSAGE_NOT_FOUND, MESSAGE_UNAUTHORIZED
from infra.local import compression
from infra.local.authorizer import Authorizer, AuthorizerUnavailableError, UnauthorizedError
from infra.local.events import (
    INTERNAL_ERROR,
    HttpRequest,
    HttpResponse,
    MalformedResultError,
    error_response,
    http_response,
    proxy_event,
)
from infra.local.routing import Router
from infra.local.site import LocalSite
from infra.local.workers import FunctionError, WorkerPool

logger = logging.getLogger("shopfloor.local.gateway")

MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit
_NO_BODY_STATUSES = {HTTPStatus.NO_CONTENT, HTTPStatus.NOT_MODIFIED}


class Gateway:
    """Routes a request to its function's worker pool and shapes the answer."""

    def __init__(
        self,
        router: Router,
        pools: Mapping[str, WorkerPool],
        authorizer: Authorizer | None = None,
        site: LocalSite | None = None,
    ) -> None:
        if authorizer is None and router.signed_in_routes():
            raise ValueError("signed-in routes need an authorizer")
        self._router = router
        self._pools = pools
        self._authorizer = authorizer
        self._site = site

    def handle(self, request: HttpRequest) -> tuple[HttpResponse, str | None]:
        """The response, and the name of the function that produced it (None for the gateway)."""
        request_id = str(uuid.uuid4())
        if self._site is not None and self._site.serves(request.path):
            page = self._site.handle(request, request_id)
            return compression.compressed(page, request.headers, compression.CLOUDFRONT), None
        response, function = self._route(request, request_id)
        return compression.compressed(response, request.headers, compression.API_GATEWAY), function

    def _route(self, request: HttpRequest, request_id: str) -> tuple[HttpResponse, str | None]:
        match = self._router.match(request.path)
        if match is None:
            return error_response(HTTPStatus.NOT_FOUND, MESSAGE_NOT_FOUND, request_id), None
        function = match.resource.methods.get(request.method)
        if function is None:
            allow = [("Allow", match.resource.allowed)]
            status = HTTPStatus.METHOD_NOT_ALLOWED
            return error_response(status, MESSAGE_METHOD_NOT_ALLOWED, request_id, allow), None
        claims: dict[str, str] | None = None
        if self._authorizer is not None and request.method in match.resource.signed_in:
            try:
                claims = self._authorizer.claims(request.headers)
            except UnauthorizedError as refused:
                logger.debug("%s %s refused: %s", request.method, request.path, refused)
                return error_response(HTTPStatus.UNAUTHORIZED, MESSAGE_UNAUTHORIZED, request_id), None
            except AuthorizerUnavailableError as error:
                logger.error("the authorizer failed: %s", error)
                status = HTTPStatus.INTERNAL_SERVER_ERROR
                return error_response(status, INTERNAL_ERROR, request_id), None
        try:
            event = proxy_event(request, match, request_id, claims)
            result = self._pools[function.name].invoke(event, request_id)
            return http_response(result, request_id), function.name
        except (FunctionError, MalformedResultError) as error:
            logger.error("%s failed: %s", function.name, error)
        return error_response(HTTPStatus.BAD_GATEWAY, INTERNAL_ERROR, request_id), function.name


class GatewayServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128

    def __init__(self, host: str, port: int, gateway: Gateway) -> None:
        self.gateway = gateway
        super().__init__((host, port), _RequestHandler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host's FQDN, a DNS lookup that can hang offline.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up mid-request is the client's business, not a gateway fault.
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError):
            logger.debug("client %s went away: %s", client_address, error)
            return
        super().handle_error(request, client_address)

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name="gateway", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without this, Nagle and delayed ACKs add 40 ms to each.
    disable_nagle_algorithm = True
    server: GatewayServer

    def version_string(self) -> str:
        return "Shopfloor-local"

    def __getattr__(self, name: str) -> Any:
        # http.server answers a method without a `do_<METHOD>` with an HTML 501; API Gateway routes
        # every method, so each one (TRACE, CONNECT, made-up ones) reaches the gateway's own rules.
        if name.startswith("do_"):
            return self._handle
        raise AttributeError(name)

    def log_message(self, format: str, *args: object) -> None:
        """Silence http.server's own access log: the gateway writes one line per request."""

    def _handle(self) -> None:
        started = time.perf_counter()
        body = self._read_body()
        function: str | None = None
        if body is None:
            response = error_response(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "Request Too Long", str(uuid.uuid4())
            )
            self.close_connection = True
        else:
            request = HttpRequest(
                method=self.command,
                target=self.path,
                headers=list(self.headers.items()),
                body=body,
                source_ip=self.client_address[0],
                server_port=self.server.server_port,
            )
            response, function = self.server.gateway.handle(request)
        self._write(response)
        elapsed_ms = (time.perf_counter() - started) * 1000
        logger.info(
            "%s %s %d %s %.1fms", self.command, self.path, response.status, function or "-", elapsed_ms
        )

    def _read_body(self) -> bytes | None:
        """The request body; None when it is larger than API Gateway accepts."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY_BYTES:
            return None
        return self.rfile.read(length) if length > 0 else b""

    def _read_chunked(self) -> bytes | None:
        body = bytearray()
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline().strip():  # trailers
                    pass
                return bytes(body)
            if len(body) + size > MAX_BODY_BYTES:
                return None
            body += self.rfile.read(size)
            self.rfile.readline()

    def _write(self, response: HttpResponse) -> None:
        self.send_response(response.status)
        has_body = response.status not in _NO_BODY_STATUSES and response.status >= 200
        for name, value in response.headers:
            self.send_header(name, value)
        if has_body:
            self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if has_body and self.command != "HEAD":
            self.wfile.write(response.body)
