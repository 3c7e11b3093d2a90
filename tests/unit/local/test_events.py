"""The payload format 2.0 event the local gateway builds from a request, and how it reads a
function's result (response format 2.0), rule by rule, as the HTTP API does."""

from __future__ import annotations

import base64
import calendar
import json
from typing import Any

import pytest

from infra.local.events import (
    HttpRequest,
    MalformedResultError,
    error_response,
    http_api_event,
    http_response,
    new_request_id,
    request_time,
)
from infra.local.routing import RouteMatch, Router
from infra.topology import OPERATIONS_CONTEXT, Function, Route

ITEMS = Function(
    name="items",
    description="-",
    context=OPERATIONS_CONTEXT,
    routes=(
        Route("GET", "/items"),
        Route("POST", "/items/{id}"),
        Route("GET", "/items/{id}", signed_in=True),
    ),
)
ROUTER = Router.from_functions([ITEMS])
NOW = calendar.timegm((2026, 12, 6, 16, 0, 0)) + 0.25


@pytest.fixture
def aws() -> None:
    """No moto: events are plain data."""


def request(
    target: str = "/items",
    method: str = "GET",
    headers: list[tuple[str, str]] | None = None,
    body: bytes = b"",
) -> HttpRequest:
    return HttpRequest(method, target, [("Host", "127.0.0.1:3000"), *(headers or [])], body, "10.0.0.7", 3000)


def event_for(sent: HttpRequest, claims: dict[str, str] | None = None) -> dict[str, Any]:
    match = ROUTER.match(sent.method, sent.path)
    assert match is not None
    return http_api_event(sent, match, "req-1", claims, now=NOW)


def test_a_bare_get_has_the_fields_the_http_api_always_sends_and_no_empty_ones() -> None:
    event = event_for(request())

    assert event["version"] == "2.0"
    assert event["routeKey"] == "GET /items"
    assert event["rawPath"] == "/items"
    assert event["rawQueryString"] == ""
    assert event["isBase64Encoded"] is False
    assert event["headers"]["host"] == "127.0.0.1:3000"
    for absent in ("cookies", "queryStringParameters", "pathParameters", "body", "stageVariables"):
        assert absent not in event, absent
    assert "authorizer" not in event["requestContext"]


def test_the_request_context() -> None:
    event = event_for(request("/items/7?x=1", "POST", [("User-Agent", "curl/8.5")], b"{}"))

    assert event["requestContext"] == {
        "accountId": "123456789012",
        "apiId": "local",
        "domainName": "127.0.0.1:3000",
        "domainPrefix": "127",
        "http": {
            "method": "POST",
            "path": "/items/7",
            "protocol": "HTTP/1.1",
            "sourceIp": "10.0.0.7",
            "userAgent": "curl/8.5",
        },
        "requestId": "req-1",
        "routeKey": "POST /items/{id}",
        "stage": "$default",
        "time": "06/Dec/2026:16:00:00 +0000",
        "timeEpoch": int(NOW * 1000),
    }


def test_the_domain_prefix_is_the_first_label_of_the_host() -> None:
    event = event_for(HttpRequest("GET", "/items", [("Host", "api.example.com")], b"", "203.0.113.9", 443))

    assert (event["requestContext"]["domainName"], event["requestContext"]["domainPrefix"]) == (
        "api.example.com",
        "api",
    )


def test_the_path_and_query_are_raw_as_sent_and_the_parameters_decoded() -> None:
    event = event_for(request("/items/a%20b/?q=caf%C3%A9&tag=1&tag=2&empty=&flag&plus=a+b", "POST"))

    assert event["rawPath"] == "/items/a%20b/"
    assert event["requestContext"]["http"]["path"] == "/items/a%20b/"
    assert event["rawQueryString"] == "q=caf%C3%A9&tag=1&tag=2&empty=&flag&plus=a+b"
    assert event["pathParameters"] == {"id": "a b"}
    assert event["queryStringParameters"] == {
        "q": "café",
        "tag": "1,2",
        "empty": "",
        "flag": "",
        "plus": "a b",
    }
    assert "multiValueQueryStringParameters" not in event


def test_header_names_are_lower_cased_and_a_repeated_headers_values_joined_with_commas() -> None:
    event = event_for(request(headers=[("X-Tag", "a"), ("Accept", "text/html"), ("x-tag", "b, c")]))

    assert event["headers"]["x-tag"] == "a,b, c"
    assert event["headers"]["accept"] == "text/html"
    assert all(name == name.lower() for name in event["headers"])
    assert "multiValueHeaders" not in event


def test_cookies_leave_the_headers_for_the_cookies_field() -> None:
    event = event_for(request(headers=[("Cookie", "session=abc; theme=dark"), ("cookie", "lang=en")]))

    assert event["cookies"] == ["session=abc", "theme=dark", "lang=en"]
    assert "cookie" not in event["headers"]


def test_the_gateway_sets_the_forwarded_headers_and_extends_the_clients_forwarded_for() -> None:
    plain = event_for(request())["headers"]
    proxied = event_for(
        request(
            headers=[
                ("X-Forwarded-For", "203.0.113.9"),
                ("X-Forwarded-Proto", "https"),
                ("X-Forwarded-Port", "1"),
            ]
        )
    )["headers"]

    assert (plain["x-forwarded-for"], plain["x-forwarded-port"], plain["x-forwarded-proto"]) == (
        "10.0.0.7",
        "3000",
        "http",
    )
    assert (proxied["x-forwarded-for"], proxied["x-forwarded-port"], proxied["x-forwarded-proto"]) == (
        "203.0.113.9, 10.0.0.7",
        "3000",
        "http",
    )
    assert plain["x-amzn-trace-id"].startswith("Root=1-")


def test_a_utf8_body_is_text_and_any_other_body_base64() -> None:
    text = event_for(request("/items/1", "POST", body='{"name": "café"}'.encode()))
    binary = event_for(request("/items/1", "POST", body=b"\xff\x00\xfe"))

    assert (text["body"], text["isBase64Encoded"]) == ('{"name": "café"}', False)
    assert binary["isBase64Encoded"] is True
    assert base64.b64decode(binary["body"]) == b"\xff\x00\xfe"


def test_the_claims_go_to_the_jwt_authorizer_context() -> None:
    claims = {"sub": "u-1", "cognito:groups": "[managers]"}

    event = event_for(request("/items/3"), claims)

    assert event["requestContext"]["authorizer"] == {"jwt": {"claims": claims, "scopes": None}}
    assert event["routeKey"] == "GET /items/{id}"


def test_a_method_no_route_declares_gets_the_any_route_key() -> None:
    event = event_for(request("/items", "DELETE"))

    assert event["routeKey"] == event["requestContext"]["routeKey"] == "ANY /items"


def test_the_request_time_is_in_english_whatever_the_locale() -> None:
    assert request_time(calendar.timegm((2023, 4, 4, 18, 39, 9))) == "04/Apr/2023:18:39:09 +0000"


def test_request_ids_look_like_the_http_apis() -> None:
    ids = {new_request_id() for _ in range(100)}

    assert len(ids) == 100
    assert all(len(request_id) == 16 and request_id.endswith("=") for request_id in ids)


def header(headers: list[tuple[str, str]], name: str) -> list[str]:
    return [value for key, value in headers if key.lower() == name.lower()]


def test_a_response_gives_its_status_headers_cookies_and_body() -> None:
    response = http_response(
        {
            "statusCode": 201,
            "headers": {"Content-Type": "text/plain", "Location": "/items/1"},
            "cookies": ["a=1; Path=/", "b=2; HttpOnly"],
            "body": "créé",
            "isBase64Encoded": False,
        },
        "req-1",
    )

    assert response.status == 201
    assert response.body == "créé".encode()
    assert header(response.headers, "content-type") == ["text/plain"]
    assert header(response.headers, "location") == ["/items/1"]
    assert header(response.headers, "set-cookie") == ["a=1; Path=/", "b=2; HttpOnly"]
    assert header(response.headers, "apigw-requestid") == ["req-1"]


def test_a_response_without_a_content_type_is_json_and_without_a_body_empty() -> None:
    response = http_response({"statusCode": 204}, "req-1")

    assert (response.status, response.body) == (204, b"")
    assert header(response.headers, "content-type") == ["application/json"]


def test_a_base64_body_is_decoded() -> None:
    gzipped = b"\x1f\x8b\x08\x00binary"

    response = http_response(
        {
            "statusCode": 200,
            "headers": {"Content-Encoding": "gzip"},
            "body": base64.b64encode(gzipped).decode(),
            "isBase64Encoded": True,
        },
        "req-1",
    )

    assert response.body == gzipped
    assert header(response.headers, "content-encoding") == ["gzip"]


def test_the_gateway_writes_the_length_and_the_connection_headers_itself() -> None:
    response = http_response(
        {
            "statusCode": 200,
            "headers": {"Content-Length": "999", "Connection": "close", "X-Kept": "yes"},
            "body": "x",
        },
        "req-1",
    )

    assert header(response.headers, "content-length") == []
    assert header(response.headers, "connection") == []
    assert header(response.headers, "x-kept") == ["yes"]


def test_multi_value_headers_are_payload_1_and_ignored() -> None:
    response = http_response(
        {"statusCode": 200, "multiValueHeaders": {"X-Old": ["a", "b"]}, "body": ""}, "req-1"
    )

    assert header(response.headers, "x-old") == []


@pytest.mark.parametrize(
    "result",
    [{"body": "no status code"}, {"id": 1, "name": "Latte"}, [1, 2], "hello", 42, None, True],
    ids=["dict without statusCode", "object", "list", "string", "number", "null", "boolean"],
)
def test_anything_without_a_status_code_is_inferred_as_200_json(result: Any) -> None:
    response = http_response(result, "req-1")

    assert response.status == 200
    assert header(response.headers, "content-type") == ["application/json"]
    assert json.loads(response.body) == result
    assert header(response.headers, "apigw-requestid") == ["req-1"]


@pytest.mark.parametrize(
    "result",
    [
        {"statusCode": "200"},
        {"statusCode": 200.0},
        {"statusCode": True},
        {"statusCode": 99},
        {"statusCode": 600},
        {"statusCode": None},
        {"statusCode": 200, "headers": ["X-A: 1"]},
        {"statusCode": 200, "headers": {"X-Count": 1}},
        {"statusCode": 200, "headers": {"X-List": ["a", "b"]}},
        {"statusCode": 200, "cookies": "a=1"},
        {"statusCode": 200, "cookies": [1]},
        {"statusCode": 200, "body": {"a": 1}},
        {"statusCode": 200, "body": "x", "isBase64Encoded": "yes"},
        {"statusCode": 200, "body": "not base64!", "isBase64Encoded": True},
    ],
)
def test_a_response_with_fields_of_the_wrong_type_is_malformed(result: dict[str, Any]) -> None:
    with pytest.raises(MalformedResultError):
        http_response(result, "req-1")


def test_the_gateways_own_answers_are_compact_json_as_the_http_apis() -> None:
    response = error_response(404, "Not Found", "req-1")

    assert response.body == b'{"message":"Not Found"}'
    assert header(response.headers, "content-type") == ["application/json"]
    assert header(response.headers, "apigw-requestid") == ["req-1"]


def test_an_event_is_json() -> None:
    """It crosses to the worker as JSON, as Lambda's invoke does."""
    sent = request("/items/1?a=1", "POST", [("Cookie", "c=1")], b"\xff")
    match = ROUTER.match("POST", "/items/1")
    assert isinstance(match, RouteMatch)

    event = http_api_event(sent, match, "req-1", {"sub": "x"})

    assert json.loads(json.dumps(event)) == event
