"""The local API gateway: HTTP in, payload format 2.0 event to the route's function, HTTP out, as
the HTTP API's `$default` stage answers.

Its own answers are the HTTP API's: 404 `{"message":"Not Found"}` for a path no route matches,
401 `{"message":"Unauthorized"}` on a signed-in route without a token the JWT authorizer accepts
(the function is not invoked; infra.local.authorizer), and 500 `{"message":"Internal Server
Error"}` when the function fails, times out or answers something that is not a response. A method
no route declares on a known path takes the path's `ANY` route to its owner, which answers the 405
itself (infra.local.routing). API answers go out as the function wrote them: the functions
compress, the HTTP API does not. Given a site, the gateway also serves the web pages at `/app/` on
the same port (infra.local.site), compressed as CloudFront compresses them (infra.local.compression).
"""

from __future__ import annotations

import logging
import socketserver
import sys
import threading
import time
from collections.abc import Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final

from infra.constants import (
    HTTP_API_MESSAGE_INTERNAL_ERROR,
    HTTP_API_MESSAGE_NOT_FOUND,
    HTTP_API_MESSAGE_UNAUTHORIZED,
)
from infra.local import compression
from infra.local.authorizer import Authorizer, AuthorizerUnavailableError, UnauthorizedError
from infra.local.events import (
    HttpRequest,
    HttpResponse,
    MalformedResultError,
    error_response,
    http_api_event,
    http_response,
    new_request_id,
)
from infra.local.routing import RouteMatch, Router
from infra.local.site import LocalSite
from infra.local.workers import FunctionError, WorkerPool

logger = logging.getLogger("shopfloor.local.gateway")

MAX_BODY_BYTES: Final = 10 * 1024 * 1024  # the HTTP API's payload limit
# API Gateway's answer to a larger body (a REST API's; the HTTP API documents none of its own).
MESSAGE_TOO_LARGE: Final = "Request Too Long"
_NO_BODY_STATUSES: Final = {HTTPStatus.NO_CONTENT, HTTPStatus.NOT_MODIFIED}


class Gateway:
    """Routes a request to its function's worker pool and writes the answer."""

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
        request_id = new_request_id()
        if self._site is not None and self._site.serves(request.path):
            page = self._site.handle(request, request_id)
            return compression.compressed(page, request.headers, compression.CLOUDFRONT), None
        match = self._router.match(request.method, request.path)
        if match is None:
            return error_response(HTTPStatus.NOT_FOUND, HTTP_API_MESSAGE_NOT_FOUND, request_id), None
        claims: dict[str, str] | None = None
        if match.route.signed_in and self._authorizer is not None:
            try:
                claims = self._authorizer.claims(request.headers)
            except UnauthorizedError as refused:
                logger.debug("%s %s refused: %s", request.method, request.path, refused)
                challenge = [("www-authenticate", refused.challenge)]
                status = HTTPStatus.UNAUTHORIZED
                return error_response(status, HTTP_API_MESSAGE_UNAUTHORIZED, request_id, challenge), None
            except AuthorizerUnavailableError as error:
                logger.error("the authorizer failed: %s", error)
                return _internal_error(request_id), None
        return self._invoke(request, match, request_id, claims)

    def _invoke(
        self, request: HttpRequest, match: RouteMatch, request_id: str, claims: dict[str, str] | None
    ) -> tuple[HttpResponse, str]:
        function = match.route.function.name
        try:
            event = http_api_event(request, match, request_id, claims)
            return http_response(self._pools[function].invoke(event, request_id), request_id), function
        except (FunctionError, MalformedResultError) as error:
            logger.error("%s failed: %s", function, error)
        return _internal_error(request_id), function


def _internal_error(request_id: str) -> HttpResponse:
    return error_response(HTTPStatus.INTERNAL_SERVER_ERROR, HTTP_API_MESSAGE_INTERNAL_ERROR, request_id)


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
        # http.server answers a method without a `do_<METHOD>` with an HTML 501; the HTTP API routes
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
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE, MESSAGE_TOO_LARGE, new_request_id()
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
        """The request body; None when it is larger than the HTTP API accepts."""
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
