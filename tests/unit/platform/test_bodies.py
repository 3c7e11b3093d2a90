"""Every body checked before routing (shopfloor.platform.bodies)."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from shopfloor.platform.bodies import DEFAULT_LIMIT_BYTES, BodyRefusedError, checked, route_key


def event(
    body: str | None, *, base64_encoded: bool = False, content_type: str | None = "application/json"
) -> dict[str, Any]:
    headers = {} if content_type is None else {"content-type": content_type}
    return {
        "version": "2.0",
        "routeKey": "POST /things/{id}",
        "rawPath": "/things/1/",
        "requestContext": {"http": {"method": "POST", "path": "/things/1/"}, "routeKey": "POST /things/{id}"},
        "headers": headers,
        "body": body,
        "isBase64Encoded": base64_encoded,
    }


def refusal(an_event: dict[str, Any], limits: dict[str, int] | None = None) -> tuple[int, str]:
    with pytest.raises(BodyRefusedError) as refused:
        checked(an_event, limits or {})
    return refused.value.status, refused.value.message


def test_a_body_within_the_limit_passes_as_text() -> None:
    raw = base64.b64encode('{"name": "café"}'.encode()).decode()

    passed = checked(event(raw, base64_encoded=True), {})

    assert passed["body"] == '{"name": "café"}'
    assert passed["isBase64Encoded"] is False


@pytest.mark.parametrize("body", [None, ""])
def test_no_body_is_left_to_the_route(body: str | None) -> None:
    assert checked(event(body), {})["body"] == body


def test_the_routes_own_limit_counts_bytes_not_characters() -> None:
    body = '"' + "é" * 600 + '"'  # 600 characters, 1,202 bytes

    assert refusal(event(body), {"POST /things/{id}": 1_000}) == (
        413,
        "Request body is larger than 1000 bytes.",
    )
    assert checked(event(body), {"POST /things/{id}": 1_202})["body"] == body


def test_the_default_limit_applies_to_a_route_that_names_none() -> None:
    status, _ = refusal(event('"' + "x" * DEFAULT_LIMIT_BYTES + '"'))

    assert status == 413


def test_size_comes_before_anything_else() -> None:
    assert refusal(event("not json " * 5_000))[0] == 413


def test_bytes_that_are_not_utf8_are_400() -> None:
    raw = base64.b64encode(b'{"name": "\xff"}').decode()

    assert refusal(event(raw, base64_encoded=True)) == (400, "Request body must be UTF-8 text.")


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json; charset=utf-8", None, "application/problem+json"]
)
def test_json_or_no_type_must_be_json(content_type: str | None) -> None:
    assert refusal(event("{nope", content_type=content_type)) == (400, "Request body must be valid JSON.")


@pytest.mark.parametrize("depth", [33, 3_000])
def test_json_deeper_than_32_levels_is_400(depth: int) -> None:
    status, message = refusal(event("[" * depth + "]" * depth))

    assert (status, message) == (400, "Request body must not be nested deeper than 32 levels.")


def test_json_32_levels_deep_passes() -> None:
    body = '{"a": ' * 31 + "[]" + "}" * 31

    assert checked(event(body), {})["body"] == body


def test_a_form_is_left_to_the_routes_that_read_one() -> None:
    passed = checked(event("grant_type=password", content_type="application/x-www-form-urlencoded"), {})

    assert passed["body"] == "grant_type=password"


@pytest.mark.parametrize("content_type", ["multipart/form-data", "text/plain", "application/xml"])
def test_another_content_type_is_415(content_type: str) -> None:
    assert refusal(event("<a/>", content_type=content_type))[0] == 415


def http_event(method: str, route_key_sent: str | None, raw_path: str) -> dict[str, Any]:
    found = {} if route_key_sent is None else {"routeKey": route_key_sent}
    return {**found, "rawPath": raw_path, "requestContext": {"http": {"method": method, "path": raw_path}}}


@pytest.mark.parametrize(
    ("method", "sent_route_key", "raw_path", "name"),
    [
        ("POST", "POST /warranties", "/warranties/", "POST /warranties"),
        ("PATCH", "PATCH /orders/{id}/status", "/orders/7/status", "PATCH /orders/{id}/status"),
        # A method the path does not declare reached its owner through the path's ANY route.
        ("PUT", "ANY /products", "/products", "PUT /products"),
        ("GET", "GET /", "/", "GET /"),
        # Not from the HTTP API (no route key): the path as sent.
        ("DELETE", None, "/things/1/", "DELETE /things/1"),
        ("GET", "$default", "/things/", "GET /things"),
    ],
)
def test_a_route_is_named_by_the_method_sent_and_its_route_path_without_a_trailing_slash(
    method: str, sent_route_key: str | None, raw_path: str, name: str
) -> None:
    assert route_key(http_event(method, sent_route_key, raw_path)) == name
