"""The events AWS sends a Lambda function: the HTTP API's (payload format 2.0), SQS's, EventBridge's
and a DynamoDB stream's."""

from __future__ import annotations

import json
import time
import uuid
from functools import cache
from typing import Any
from urllib.parse import parse_qsl

from infra.local.routing import Router

API_HOST = "api.example.com"
API_ID = "unit"
ACCOUNT_ID = "123456789012"
SOURCE_IP = "127.0.0.1"
USER_AGENT = "unit-tests"
_DEFAULT_HEADERS = {
    "host": API_HOST,
    "user-agent": USER_AGENT,
    "x-forwarded-for": SOURCE_IP,
    "x-forwarded-port": "443",
    "x-forwarded-proto": "https",
}


def api_event(
    method: str,
    path: str,
    *,
    body: Any = None,
    raw_body: str | None = None,
    headers: dict[str, str] | None = None,
    resource: str | None = None,
    path_parameters: dict[str, str] | None = None,
    claims: dict[str, str] | None = None,
    cookies: list[str] | None = None,
    accept_encoding: str | None = None,
) -> dict[str, Any]:
    """The HTTP API's event for `method path` (the path as sent, which may carry a query string).

    `resource` is the path of the route that took it (`/products/{id}`), by default the topology's
    route for the path (under `ANY` when the path declares no such method; the path itself when no
    route has it); `path_parameters` default to that route's. `claims`, as the JWT authorizer hands
    a verified token's claims over: every value a string, an array as `"[a b]"`. Header names are
    lower-cased and a Cookie header moves to `cookies`, as the HTTP API does."""
    raw_path, _, raw_query = path.partition("?")
    query: dict[str, str] = {}
    for name, value in parse_qsl(raw_query, keep_blank_values=True):
        query[name] = f"{query[name]},{value}" if name in query else value
    sent = _lowered(headers or {})
    if accept_encoding is not None:
        sent["accept-encoding"] = accept_encoding
    if raw_body is None and body is not None:
        raw_body = json.dumps(body)
        sent.setdefault("content-type", "application/json")
    all_cookies = [*(cookies or []), *_split_cookies(sent.pop("cookie", ""))]
    route_key, route_parameters = (
        _route_of(method, raw_path) if resource is None else (f"{method} {resource}", None)
    )
    parameters = path_parameters if path_parameters is not None else route_parameters
    now = time.time()
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": raw_path,
        "rawQueryString": raw_query,
        "headers": {**_DEFAULT_HEADERS, **sent},
        "requestContext": {
            "accountId": ACCOUNT_ID,
            "apiId": API_ID,
            "domainName": API_HOST,
            "domainPrefix": API_HOST.partition(".")[0],
            "http": {
                "method": method,
                "path": raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": SOURCE_IP,
                "userAgent": sent.get("user-agent", USER_AGENT),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": route_key,
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
            **({"authorizer": {"jwt": {"claims": claims, "scopes": None}}} if claims is not None else {}),
        },
        "isBase64Encoded": False,
    }
    if all_cookies:
        event["cookies"] = all_cookies
    if query:
        event["queryStringParameters"] = query
    if parameters:
        event["pathParameters"] = parameters
    if raw_body is not None:
        event["body"] = raw_body
    return event


def _lowered(headers: dict[str, str]) -> dict[str, str]:
    """Names lower-cased; the values of a name sent twice (in two cases) joined with ","."""
    lowered: dict[str, str] = {}
    for name, value in headers.items():
        key = name.lower()
        lowered[key] = f"{lowered[key]},{value}" if key in lowered else value
    return lowered


def _split_cookies(header: str) -> list[str]:
    return [cookie for cookie in header.split("; ") if cookie]


@cache
def _router() -> Router:
    return Router.from_functions()


def _route_of(method: str, raw_path: str) -> tuple[str, dict[str, str] | None]:
    """The route key the HTTP API gives the path, as the local gateway selects it (under `ANY`
    when the path declares no such method), with its decoded path parameters; the method and path
    as sent (without a trailing slash) when no route has the path."""
    match = _router().match(method, raw_path)
    if match is None:
        return f"{method} {raw_path.rstrip('/') or '/'}", None
    return match.route.key, match.path_parameters


def sqs_event(*bodies: str, queue: str = "offers-sync") -> dict[str, Any]:
    """An SQS event source batch, one record per message body."""
    return {
        "Records": [
            {
                "messageId": f"m{index}",
                "receiptHandle": f"receipt-{index}",
                "body": body,
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": f"arn:aws:sqs:us-east-1:000000000000:{queue}",
                "awsRegion": "us-east-1",
            }
            for index, body in enumerate(bodies)
        ]
    }


def scheduled_event(rule: str = "offers-dispatch") -> dict[str, Any]:
    """What an EventBridge schedule sends its target."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "000000000000",
        "time": "2026-11-22T10:00:00Z",
        "region": "us-east-1",
        "resources": [f"arn:aws:events:us-east-1:000000000000:rule/{rule}"],
        "detail": {},
    }


def stream_event(
    images: list[dict[str, Any]],
    *,
    table: str = "warranties",
    first_sequence: int = 100,
    event_names: list[str] | None = None,
) -> dict[str, Any]:
    """The event a DynamoDB stream event source sends: one record per new image (typed JSON), an
    INSERT unless `event_names` says otherwise."""
    names = event_names or ["INSERT"] * len(images)
    arn = f"arn:aws:dynamodb:us-east-1:123456789012:table/{table}/stream/2026-11-22T00:00:00.000"
    return {
        "Records": [
            {
                "eventID": f"event-{position}",
                "eventName": names[position],
                "eventVersion": "1.1",
                "eventSource": "aws:dynamodb",
                "awsRegion": "us-east-1",
                "dynamodb": {
                    "ApproximateCreationDateTime": 1795300000,
                    "Keys": {"id": image["id"]} if "id" in image else {},
                    "NewImage": image,
                    "SequenceNumber": str(first_sequence + position),
                    "SizeBytes": 512,
                    "StreamViewType": "NEW_IMAGE",
                },
                "eventSourceARN": arn,
            }
            for position, image in enumerate(images)
        ]
    }
