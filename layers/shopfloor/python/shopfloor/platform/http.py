"""The HTTP resolver every function uses (the HTTP API's payload format 2.0), with the project's
error envelope, its 405 with `Allow`, gzip for large answers, and URL helpers."""

from __future__ import annotations

import json
import re
from http import HTTPStatus
from re import Pattern
from typing import Annotated, Any, Final, TypeVar
from urllib.parse import parse_qs

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import CORSConfig, ResponseBuilder
from aws_lambda_powertools.event_handler.exceptions import ServiceError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.event_handler.openapi.params import Header
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2
from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent

from shopfloor.platform import errors
from shopfloor.platform.bodies import FORM
from shopfloor.platform.idempotency import HEADER, KEY_PATTERN, MAX_KEY_LENGTH, REPLAYED_HEADER
from shopfloor.platform.openapi import security_schemes
from shopfloor.platform.pagination import next_link

logger = Logger(child=True)

T = TypeVar("T")
_ID = re.compile(r"[1-9][0-9]{0,17}")
_LOCATIONS = {"body", "query", "path", "header", "cookie"}

# The host a viewer called the site's CloudFront distribution at: its function on the API's
# behaviours (infra/constructs/site.py, with infra.constants' SITE_HOST_HEADER) copies the viewer's
# Host into it, as the origin gets API Gateway's own Host. Lowercase, as CloudFront Functions name
# headers.
SITE_HOST_HEADER: Final = "x-shopfloor-site-host"
_HOST_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_SITE_HOST = re.compile(rf"(?P<name>{_HOST_LABEL}(?:\.{_HOST_LABEL})*)(?::(?P<port>[0-9]{{1,5}}))?")
_MAX_HOST_NAME = 253
_MAX_PORT = 65535

# Answers this large or larger are gzipped for a client that accepts it (the API's compression
# moved from API Gateway into the functions); smaller ones gain too little to pay for the CPU.
COMPRESS_FROM_BYTES: Final = 1024
ALLOW_HEADER: Final = "Allow"
_GZIP_CODINGS = frozenset({"gzip", "x-gzip"})


# The Idempotency-Key header of a POST that creates (shopfloor.platform.idempotency).
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias=HEADER,
        min_length=1,
        max_length=MAX_KEY_LENGTH,
        pattern=KEY_PATTERN,
        description="1 to 255 printable ASCII characters. Makes a retried POST safe: a repeat with the "
        "same key and request answers the first response (with `Idempotent-Replayed: true`) and "
        "creates nothing; the same key with another request is 422.",
    ),
]


class HttpResolver(APIGatewayHttpResolver):
    """Powertools' resolver of the HTTP API's events, which also serves a path with a trailing slash
    (the HTTP API routes `/products/` to `GET /products` and hands on rawPath as sent), knows which
    methods a path declares (for 405), and gzips large answers (COMPRESS_FROM_BYTES)."""

    def __init__(self) -> None:
        super().__init__(enable_validation=True)
        # Powertools' hook for the builder of every answer: a route's, an exception handler's, 404's.
        self._response_builder_class = _SizedCompressionBuilder

    @staticmethod
    def _compile_regex(rule: str, base_regex: str = "^{}$") -> Pattern[str]:
        # As APIGatewayRestResolver does: `/products` also matches `/products/`.
        return APIGatewayHttpResolver._compile_regex(rule, "^{}/*$")  # type: ignore[no-any-return]

    def methods_of(self, path: str) -> list[str]:
        """The methods this resolver's routes declare for `path` (matched as they are when
        resolving), sorted."""
        routes = self._static_routes + self._dynamic_routes
        return sorted({route.method for route in routes if route.rule.match(path)})

    def requested_path(self) -> str:
        """The path of the current request as the resolver matches it against its routes."""
        return str(self._remove_prefix(self.current_event.path))


class _SizedCompressionBuilder(ResponseBuilder[BaseProxyEvent]):
    """Powertools' builder, with each answer's `compress` decided by its size and the request's
    Accept-Encoding rather than by a route's flag: every route, dict or model, and error answers."""

    def build(self, event: BaseProxyEvent, cors: CORSConfig | None = None) -> dict[str, Any]:
        response = self.response
        if response.is_json() and not isinstance(response.body, str):
            response.body = self.serializer(response.body)
        size = _size(response.body)
        if size >= COMPRESS_FROM_BYTES:
            response.headers["Vary"] = "Accept-Encoding"
        response.compress = size >= COMPRESS_FROM_BYTES and accepts_gzip(event.headers.get("accept-encoding"))
        built: dict[str, Any] = super().build(event, cors)
        return built


def _size(body: object) -> int:
    if isinstance(body, str):
        return len(body.encode("utf-8"))
    if isinstance(body, bytes):
        return len(body)
    return 0


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether an Accept-Encoding header names gzip with a non-zero q (`gzip`, `gzip, br`,
    `br;q=1, gzip;q=0.5`; not `gzip;q=0`, `identity`, nor `*`, which Powertools does not take)."""
    for coding in (accept_encoding or "").split(","):
        name, _, parameters = coding.partition(";")
        if name.strip().lower() in _GZIP_CODINGS and _quality(parameters) > 0:
            return True
    return False


def _quality(parameters: str) -> float:
    for parameter in parameters.split(";"):
        key, _, value = parameter.partition("=")
        if key.strip().lower() == "q":
            try:
                return float(value.strip())
            except ValueError:
                return 0.0
    return 1.0


def create_resolver() -> HttpResolver:
    """The HTTP API's resolver (payload format 2.0) that validates input and answers in the error
    envelope: 405 with `Allow` for a path it serves under another method, else 404."""
    app = HttpResolver()
    # Signed-in routes name this scheme; each function's own document (and the docs function's,
    # which puts the API's URL in the token URL) must know it.
    app.configure_openapi(security_schemes=security_schemes())

    def invalid_request(error: RequestValidationError) -> Response[Any]:
        return _validation_response(app.current_event, error)

    def no_route(_: Exception) -> Response[Any]:
        """The HTTP API sends a path's undeclared methods to its owner (an `ANY` route)."""
        allowed = app.methods_of(app.requested_path())
        if allowed:
            headers = {ALLOW_HEADER: ", ".join(allowed)}
            return json_response(
                HTTPStatus.METHOD_NOT_ALLOWED, errors.envelope(errors.METHOD_NOT_ALLOWED), headers
            )
        return json_response(HTTPStatus.NOT_FOUND, errors.envelope(errors.NOT_FOUND))

    app.exception_handler(RequestValidationError)(invalid_request)
    app.exception_handler(RequestUnsupportedContentType)(_unsupported_content_type)
    app.exception_handler(ServiceError)(_service_error)
    app.exception_handler(errors.DomainError)(_domain_error)
    app.not_found(no_route)
    app.exception_handler(Exception)(_unexpected)
    return app


def _service_error(error: ServiceError) -> Response[Any]:
    return json_response(error.status_code, errors.envelope(str(error.msg)))


def _domain_error(error: errors.DomainError) -> Response[Any]:
    return json_response(error.status, errors.envelope(error.answer), error.headers or None)


def _unsupported_content_type(_: RequestUnsupportedContentType) -> Response[Any]:
    return json_response(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, errors.envelope(errors.UNSUPPORTED_CONTENT_TYPE))


def _unexpected(error: Exception) -> Response[Any]:
    logger.exception("Unhandled error", exc_info=error)
    return json_response(HTTPStatus.INTERNAL_SERVER_ERROR, errors.envelope(errors.INTERNAL_ERROR))


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(
        status_code=int(status),
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps(body, separators=(",", ":")),
        headers=headers,
    )


def created_response(
    event: APIGatewayProxyEventV2, path: str, body: dict[str, Any], replayed: bool = False
) -> Response[Any]:
    """201 with `Location`, and `Idempotent-Replayed: true` when it answers a replayed Idempotency-Key."""
    headers = {"Location": resource_url(event, path)}
    if replayed:
        headers[REPLAYED_HEADER] = "true"
    return json_response(HTTPStatus.CREATED, body, headers)


def no_content() -> Response[Any]:
    return Response(status_code=int(HTTPStatus.NO_CONTENT), body=None)


def found(resource: T | None) -> T:
    """The resource a route looked up; 404 `{"message": "Not found."}` when there is none."""
    if resource is None:
        raise errors.NotFoundError()
    return resource


def parse_id(raw: str) -> int:
    """A path id is a positive integer; anything else names no resource (404)."""
    if not _ID.fullmatch(raw):
        raise errors.NotFoundError()
    return int(raw)


def base_url(event: APIGatewayProxyEventV2) -> str:
    """The URL of the API's root as the client called it: `https://<host>` when it came through the
    site's CloudFront distribution (SITE_HOST_HEADER), else the scheme and host the HTTP API saw
    (its `$default` stage puts nothing in the path)."""
    headers = event.headers  # case-insensitive
    # A direct caller may send the header itself: that only changes the URLs in the answer to that
    # caller (nothing is cached: the API's behaviours use CachingDisabled), and only to a valid host.
    site_host = _valid_host(headers.get(SITE_HOST_HEADER))
    if site_host is not None:
        return f"https://{site_host}"
    scheme = _forwarded_scheme(headers.get("x-forwarded-proto"))
    host = headers.get("host") or event.request_context.domain_name
    return f"{scheme}://{host}" if host else ""


def _forwarded_scheme(value: str | None) -> str:
    """The scheme the gateway saw: the last of X-Forwarded-Proto's values (a header the client sent
    too arrives comma-joined before the gateway's own), `https` unless that is `http`."""
    last = (value or "").rsplit(",", 1)[-1].strip().lower()
    return "http" if last == "http" else "https"


def _valid_host(value: str | None) -> str | None:
    """`value` when it is a host name (as CloudFront's Host always is), with an optional port, else
    None: no other header text ever goes into a URL."""
    if value is None:
        return None
    host = value.strip()
    match = _SITE_HOST.fullmatch(host)
    if match is None or len(match.group("name")) > _MAX_HOST_NAME:
        return None
    port = match.group("port")
    if port is not None and not 0 < int(port) <= _MAX_PORT:
        return None
    return host


def resource_url(event: APIGatewayProxyEventV2, path: str) -> str:
    return f"{base_url(event)}{path}"


def page_response(
    event: APIGatewayProxyEventV2, body: Any, next_cursor: str | None, query: dict[str, str]
) -> Response[Any]:
    """200 with a page of a list, and an RFC 8288 `Link: <...>; rel="next"` while more remain
    (the request's `query` carried over, with the cursor of the next page)."""
    headers = None
    if next_cursor is not None:
        # rawPath is the path as sent, still percent-encoded: as a URL needs it.
        path = event.raw_path.rstrip("/") or "/"
        headers = {"Link": next_link(resource_url(event, path), query, next_cursor)}
    return json_response(HTTPStatus.OK, body, headers)


def _validation_response(event: APIGatewayProxyEventV2, error: RequestValidationError) -> Response[Any]:
    problems = error.errors()
    if any(_location(problem) == "body" for problem in problems):
        body_problem = _body_problem(event.body, event.headers.get("content-type", ""))
        if body_problem is not None:
            return json_response(HTTPStatus.BAD_REQUEST, errors.envelope(body_problem))
    messages = [f"{_field(problem)}: {problem.get('msg', 'invalid')}" for problem in problems]
    return json_response(HTTPStatus.UNPROCESSABLE_ENTITY, errors.envelope(messages))


def _body_problem(body: str | None, content_type: str) -> str | None:
    """Why a body cannot be validated field by field at all, or None when it can."""
    if body is None or not body.strip():
        return errors.NO_INPUT
    if content_type.startswith(FORM):
        return None if parse_qs(body) else errors.NO_INPUT
    try:
        parsed = json.loads(body)
    except ValueError:
        return errors.NOT_JSON
    if not isinstance(parsed, dict):
        return errors.NOT_OBJECT
    if not parsed:
        return errors.NO_INPUT
    return None


def _location(problem: dict[str, Any]) -> str:
    location = problem.get("loc") or ()
    return str(location[0]) if location else ""


def _field(problem: dict[str, Any]) -> str:
    location = [str(part) for part in problem.get("loc") or ()]
    if location[:1] == ["header"] and len(location) > 1:
        # As clients write it (Idempotency-Key), not as Powertools looks it up (idempotency-key).
        return "-".join(word.capitalize() for word in location[1].split("-"))
    if location and location[0] in _LOCATIONS:
        location = location[1:]
    return ".".join(location) or "body"
