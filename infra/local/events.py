"""API Gateway REST proxy events (payload v1) from HTTP requests, and HTTP responses from results."""

from __future__ import annotations

import base64
import binascii
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from infra.constants import MESSAGE_INTERNAL_ERROR
from infra.local.routing import RouteMatch

STAGE = "local"
ACCOUNT_ID = "123456789012"
API_ID = "local"
INTERNAL_ERROR = MESSAGE_INTERNAL_ERROR
# Hop-by-hop headers, and what the gateway computes itself from the body it writes.
_GATEWAY_OWNED = {"connection", "content-length", "keep-alive", "transfer-encoding", "upgrade"}


class MalformedResultError(Exception):
    """A function answered with something that is not an API Gateway proxy response."""


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


def proxy_event(
    request: HttpRequest, route: RouteMatch, request_id: str, claims: dict[str, str] | None = None
) -> dict[str, Any]:
    """The event; on a signed-in route, with the verified token's `claims` in
    `requestContext.authorizer.claims`, as API Gateway's Cognito authorizer puts them."""
    headers = _forwarded(request)
    multi_headers: dict[str, list[str]] = {}
    for name, value in headers:
        multi_headers.setdefault(name, []).append(value)
    multi_query: dict[str, list[str]] = {}
    for name, value in parse_qsl(request.query, keep_blank_values=True):
        multi_query.setdefault(name, []).append(value)
    body, is_base64 = _body(request.body)
    now = time.time()
    template = route.resource.template
    authorizer = {} if claims is None else {"authorizer": {"claims": claims}}
    return {
        "resource": template,
        "path": request.path,
        "httpMethod": request.method,
        "headers": {name: values[-1] for name, values in multi_headers.items()} or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": {name: values[-1] for name, values in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": route.path_parameters,
        "stageVariables": None,
        "requestContext": {
            "resourceId": uuid.uuid5(uuid.NAMESPACE_URL, template).hex[:6],
            "resourcePath": template,
            "httpMethod": request.method,
            "path": request.path,
            "stage": STAGE,
            "requestId": request_id,
            "extendedRequestId": request_id,
            "accountId": ACCOUNT_ID,
            "apiId": API_ID,
            "protocol": "HTTP/1.1",
            "domainName": _header(headers, "host") or "",
            "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "requestTimeEpoch": int(now * 1000),
            "identity": {"sourceIp": request.source_ip, "userAgent": _header(headers, "user-agent")},
            **authorizer,
        },
        "body": body,
        "isBase64Encoded": is_base64,
    }


def http_response(result: Any, request_id: str) -> HttpResponse:
    """The response API Gateway writes for a function's proxy result; MalformedResultError if it cannot."""
    if not isinstance(result, dict):
        raise MalformedResultError(f"the result is a {type(result).__name__}, not an object")
    status = result.get("statusCode")
    if isinstance(status, str) and status.isdigit():
        status = int(status)
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
        raise MalformedResultError(f"statusCode {status!r} is not an HTTP status")
    return HttpResponse(status, _merged_headers(result, request_id), _decoded_body(result))


def error_response(
    status: int, message: str, request_id: str, headers: list[tuple[str, str]] | None = None
) -> HttpResponse:
    body = json.dumps({"message": message}).encode()
    return HttpResponse(
        status,
        [("Content-Type", "application/json"), ("x-amzn-RequestId", request_id), *(headers or [])],
        body,
    )


def _forwarded(request: HttpRequest) -> list[tuple[str, str]]:
    """The client's headers plus the X-Forwarded-* headers API Gateway adds."""
    replaced = {"x-forwarded-proto", "x-forwarded-port", "x-forwarded-for"}
    headers = [(name, value) for name, value in request.headers if name.lower() not in replaced]
    forwarded_for = _header(request.headers, "x-forwarded-for")
    chain = f"{forwarded_for}, {request.source_ip}" if forwarded_for else request.source_ip
    headers += [
        ("X-Forwarded-For", chain),
        ("X-Forwarded-Port", str(request.server_port)),
        ("X-Forwarded-Proto", "http"),
    ]
    return headers


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    found = [value for header, value in headers if header.lower() == name]
    return found[-1] if found else None


def _body(raw: bytes) -> tuple[str | None, bool]:
    if not raw:
        return None, False
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        return base64.b64encode(raw).decode("ascii"), True


def _merged_headers(result: dict[str, Any], request_id: str) -> list[tuple[str, str]]:
    """headers and multiValueHeaders merged; where both name a header, multiValueHeaders wins."""
    multi = result.get("multiValueHeaders") or {}
    single = result.get("headers") or {}
    if not isinstance(multi, dict) or not isinstance(single, dict):
        raise MalformedResultError("headers and multiValueHeaders must be objects")
    merged: list[tuple[str, str]] = []
    for name, values in multi.items():
        if not isinstance(values, list):
            raise MalformedResultError(f"multiValueHeaders[{name!r}] is not a list")
        merged += [(str(name), _text(value)) for value in values]
    in_multi = {name.lower() for name in multi}
    merged += [(str(name), _text(value)) for name, value in single.items() if name.lower() not in in_multi]
    merged = [(name, value) for name, value in merged if name.lower() not in _GATEWAY_OWNED]
    names = {name.lower() for name, _ in merged}
    if "content-type" not in names:
        merged.append(("Content-Type", "application/json"))
    merged.append(("x-amzn-RequestId", request_id))
    return merged


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _decoded_body(result: dict[str, Any]) -> bytes:
    body = result.get("body")
    if body is None:
        return b""
    if not isinstance(body, str):
        raise MalformedResultError(f"body is a {type(body).__name__}, not a string")
    if result.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=True)
        except binascii.Error as error:
            raise MalformedResultError("isBase64Encoded is true but body is not base64") from error
    return body.encode("utf-8")
