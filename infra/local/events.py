"""Payload format 2.0 events from HTTP requests, and HTTP responses from results (response format
2.0), as the HTTP API builds and reads them for a Lambda integration.

The event: `rawPath` and `rawQueryString` as sent; `headers` with lower-cased names, a repeated
header's values joined with ","; the Cookie header(s) split into `cookies` (and not in `headers`);
`queryStringParameters` decoded, a repeated parameter's values joined with ","; `pathParameters`
decoded; `requestContext` with the route key, the `$default` stage and, on a signed-in route, the
JWT authorizer's claims; `body` as text, or base64 with `isBase64Encoded` when it is not UTF-8.
Fields that would be empty (`cookies`, `queryStringParameters`, `pathParameters`, `body`) are left
out, as the HTTP API leaves them out.

The result: a dict with `statusCode` is a response (`headers`, `cookies` as Set-Cookie headers,
`body`, `isBase64Encoded`); anything else (a dict without `statusCode`, a list, a string...) is
inferred as the HTTP API infers it: 200, `content-type: application/json`, its JSON as the body.
A response whose fields have the wrong types is MalformedResultError (the gateway's 500).
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import parse_qsl, urlsplit

from infra.constants import HTTP_API_STAGE, JSON
from infra.local.resources import ACCOUNT_ID
from infra.local.routing import RouteMatch

PAYLOAD_FORMAT_VERSION: Final = "2.0"
STAGE: Final = HTTP_API_STAGE
API_ID: Final = "local"
PROTOCOL: Final = "HTTP/1.1"
# The header the HTTP API names its request id in, on every answer (requestContext.requestId).
REQUEST_ID_HEADER: Final = "apigw-requestid"
COOKIE_SEPARATOR: Final = "; "
REPEATED_VALUE_SEPARATOR: Final = ","
# Hop-by-hop headers, and what the gateway computes itself from the body it writes.
_GATEWAY_OWNED: Final = frozenset(
    {"connection", "content-length", "keep-alive", "transfer-encoding", "upgrade"}
)
_FORWARDED: Final = frozenset({"x-forwarded-for", "x-forwarded-port", "x-forwarded-proto"})
_MONTHS: Final = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class MalformedResultError(Exception):
    """A function answered a response (it has a statusCode) that the HTTP API cannot read."""


@dataclass(frozen=True)
class HttpRequest:
    method: str
    target: str  # as sent on the request line: the path, maybe with a query string
    headers: list[tuple[str, str]]
    body: bytes
    source_ip: str
    server_port: int

    @property
    def path(self) -> str:
        return urlsplit(self.target).path or "/"

    @property
    def query(self) -> str:
        return urlsplit(self.target).query


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def http_api_event(
    request: HttpRequest,
    match: RouteMatch,
    request_id: str,
    claims: dict[str, str] | None = None,
    now: float | None = None,
) -> dict[str, Any]:
    """The event; on a signed-in route, with the verified token's `claims` (already strings) in
    `requestContext.authorizer.jwt.claims`, as the HTTP API's JWT authorizer puts them."""
    moment = time.time() if now is None else now
    headers, cookies = _headers_and_cookies(_forwarded(request))
    query = _joined(parse_qsl(request.query, keep_blank_values=True))
    host = headers.get("host", "")
    context: dict[str, Any] = {
        "accountId": ACCOUNT_ID,
        "apiId": API_ID,
        "domainName": host,
        "domainPrefix": host.split(":")[0].split(".")[0],
        "http": {
            "method": request.method,
            "path": request.path,
            "protocol": PROTOCOL,
            "sourceIp": request.source_ip,
            "userAgent": headers.get("user-agent", ""),
        },
        "requestId": request_id,
        "routeKey": match.route.key,
        "stage": STAGE,
        "time": request_time(moment),
        "timeEpoch": int(moment * 1000),
    }
    if claims is not None:
        context["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
    event: dict[str, Any] = {
        "version": PAYLOAD_FORMAT_VERSION,
        "routeKey": match.route.key,
        "rawPath": request.path,
        "rawQueryString": request.query,
    }
    if cookies:
        event["cookies"] = cookies
    event["headers"] = headers
    if query:
        event["queryStringParameters"] = query
    if match.path_parameters:
        event["pathParameters"] = match.path_parameters
    event["requestContext"] = context
    body, is_base64 = _body(request.body)
    if body is not None:
        event["body"] = body
    event["isBase64Encoded"] = is_base64
    return event


def request_time(epoch_seconds: float) -> str:
    """`06/Dec/2026:16:00:00 +0000`, as `requestContext.time` has it (in English whatever the locale)."""
    moment = time.gmtime(epoch_seconds)
    return (
        f"{moment.tm_mday:02d}/{_MONTHS[moment.tm_mon - 1]}/{moment.tm_year}:"
        f"{moment.tm_hour:02d}:{moment.tm_min:02d}:{moment.tm_sec:02d} +0000"
    )


def new_request_id() -> str:
    """An id like the HTTP API's (`Mc7UVioPPHcEKPA=`): 11 random bytes in base64."""
    return base64.b64encode(secrets.token_bytes(11)).decode("ascii")


def http_response(result: Any, request_id: str) -> HttpResponse:
    """The answer the HTTP API writes for a function's result; MalformedResultError if it cannot."""
    if not isinstance(result, dict) or "statusCode" not in result:
        body = json.dumps(result).encode()
        return HttpResponse(200, [("Content-Type", JSON), (REQUEST_ID_HEADER, request_id)], body)
    status = result["statusCode"]
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
        raise MalformedResultError(f"statusCode {status!r} is not an HTTP status")
    headers = _response_headers(result.get("headers"))
    headers += [("Set-Cookie", cookie) for cookie in _cookies(result.get("cookies"))]
    if not any(name.lower() == "content-type" for name, _ in headers):
        headers.append(("Content-Type", JSON))
    headers.append((REQUEST_ID_HEADER, request_id))
    return HttpResponse(status, headers, _decoded_body(result))


def error_response(
    status: int, message: str, request_id: str, headers: list[tuple[str, str]] | None = None
) -> HttpResponse:
    """An answer the gateway writes itself, `{"message":"..."}` as the HTTP API writes its own."""
    body = json.dumps({"message": message}, separators=(",", ":")).encode()
    return HttpResponse(
        status, [("Content-Type", JSON), (REQUEST_ID_HEADER, request_id), *(headers or [])], body
    )


def _forwarded(request: HttpRequest) -> list[tuple[str, str]]:
    """The client's headers plus the X-Forwarded-* headers the HTTP API sets (the client's own
    X-Forwarded-For is extended with its address) and a trace id when the client sent none."""
    headers = [(name, value) for name, value in request.headers if name.lower() not in _FORWARDED]
    forwarded_for = [value for name, value in request.headers if name.lower() == "x-forwarded-for"]
    chain = ", ".join([*forwarded_for, request.source_ip])
    headers += [
        ("x-forwarded-for", chain),
        ("x-forwarded-port", str(request.server_port)),
        ("x-forwarded-proto", "http"),
    ]
    if not any(name.lower() == "x-amzn-trace-id" for name, _ in request.headers):
        headers.append(("x-amzn-trace-id", f"Root=1-{int(time.time()):08x}-{secrets.token_hex(12)}"))
    return headers


def _headers_and_cookies(raw: list[tuple[str, str]]) -> tuple[dict[str, str], list[str]]:
    values: list[tuple[str, str]] = []
    cookies: list[str] = []
    for name, value in raw:
        if name.lower() == "cookie":
            cookies += [cookie for cookie in value.split(COOKIE_SEPARATOR) if cookie]
        else:
            values.append((name.lower(), value))
    return _joined(values), cookies


def _joined(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """Each name once, a repeated name's values joined with "," in the order sent."""
    joined: dict[str, list[str]] = {}
    for name, value in pairs:
        joined.setdefault(name, []).append(value)
    return {name: REPEATED_VALUE_SEPARATOR.join(values) for name, values in joined.items()}


def _body(raw: bytes) -> tuple[str | None, bool]:
    if not raw:
        return None, False
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        return base64.b64encode(raw).decode("ascii"), True


def _response_headers(headers: Any) -> list[tuple[str, str]]:
    if headers is None:
        return []
    if not isinstance(headers, dict):
        raise MalformedResultError("headers is not an object")
    if not all(isinstance(value, str) for value in headers.values()):
        raise MalformedResultError("a header's value is not a string")
    return [(str(name), value) for name, value in headers.items() if name.lower() not in _GATEWAY_OWNED]


def _cookies(cookies: Any) -> list[str]:
    if cookies is None:
        return []
    if not isinstance(cookies, list) or not all(isinstance(cookie, str) for cookie in cookies):
        raise MalformedResultError("cookies is not a list of strings")
    return cookies


def _decoded_body(result: dict[str, Any]) -> bytes:
    body = result.get("body")
    is_base64 = result.get("isBase64Encoded") or False
    if not isinstance(is_base64, bool):
        raise MalformedResultError(f"isBase64Encoded is a {type(is_base64).__name__}, not a boolean")
    if body is None:
        return b""
    if not isinstance(body, str):
        raise MalformedResultError(f"body is a {type(body).__name__}, not a string")
    if is_base64:
        try:
            return base64.b64decode(body, validate=True)
        except binascii.Error as error:
            raise MalformedResultError("isBase64Encoded is true but body is not base64") from error
    return body.encode("utf-8")
