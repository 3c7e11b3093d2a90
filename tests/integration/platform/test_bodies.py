"""What no route may answer with a 500, however a client sends it: every body is checked before
anything else, every method answers in the envelope, and store ids are the stores' own."""

from __future__ import annotations

import json
import socket
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

# Every route that takes a body, with a body it accepts.
SPROCKET = {"teeth": 5, "pitch_diameter": 5, "outside_diameter": 6, "pitch": 1}
WARRANTY = {
    "store_uuid": "b21ad0676f26439",
    "item_type": "electronics",
    "item_sku": "TV-1",
    "item_cost": 100,
    "item_title": "TV",
}
CHART = {"sprocket_production_actual": [1], "sprocket_production_goal": [1], "time": [60]}
BODY_ROUTES: list[tuple[str, str, dict[str, Any]]] = [
    ("POST", "/products", {"name": "Kettle"}),
    ("PUT", "/products/1", {"name": "Kettle"}),
    ("PATCH", "/products/1", {"name": "Kettle"}),
    ("POST", "/warranties", WARRANTY),
    ("POST", "/v1/factories", {"chart_data": CHART}),
    ("POST", "/v1/sprockets", SPROCKET),
    ("PUT", "/v1/sprockets/1", SPROCKET),
]
IDS = [f"{method} {path}" for method, path, _ in BODY_ROUTES]


def send(base_url: str, method: str, path: str, body: bytes, content_type: str = "application/json") -> Any:
    return requests.request(
        method, f"{base_url}{path}", data=body, headers={"Content-Type": content_type}, timeout=30
    )


@pytest.mark.parametrize(("method", "path", "_"), BODY_ROUTES, ids=IDS)
def test_a_body_that_is_not_utf8_is_400(base_url: str, method: str, path: str, _: object) -> None:
    reply = send(base_url, method, path, b'{"name": "\xff\xfe"}')

    assert reply.status_code == 400
    assert reply.json() == {"message": "Request body must be UTF-8 text."}


@pytest.mark.parametrize(("method", "path", "_"), BODY_ROUTES, ids=IDS)
@pytest.mark.parametrize("depth", [33, 1000, 5000])  # 5000: 10 KB, under every limit
def test_json_nested_too_deep_is_400(base_url: str, method: str, path: str, _: object, depth: int) -> None:
    reply = send(base_url, method, path, ("[" * depth + "]" * depth).encode())

    assert reply.status_code == 400
    assert reply.json() == {"message": "Request body must not be nested deeper than 32 levels."}


@pytest.mark.parametrize(("method", "path", "valid"), BODY_ROUTES, ids=IDS)
def test_json_nested_32_deep_is_read_as_usual(
    base_url: str, method: str, path: str, valid: dict[str, Any]
) -> None:
    nested: Any = "deep"
    for _ in range(31):
        nested = [nested]
    reply = send(base_url, method, path, json.dumps({**valid, "ignored": nested}).encode())

    assert reply.status_code in {200, 201, 404}  # 404: the id names no product or sprocket yet


@pytest.mark.parametrize(("method", "path", "_"), BODY_ROUTES, ids=IDS)
def test_a_body_over_the_routes_limit_is_413_before_any_field_is_read(
    base_url: str, method: str, path: str, _: object
) -> None:
    # 6 MB: over every route's limit (factories take 5 MiB), under API Gateway's 10 MB.
    too_long = json.dumps({"name": "x" * 3_000_000, "item_title": "x" * 3_000_000}).encode()

    reply = send(base_url, method, path, too_long)

    assert reply.status_code == 413
    assert reply.json()["message"].startswith("Request body is larger than ")


def test_a_1_mb_warranty_whose_title_is_too_long_is_413(base_url: str) -> None:
    reply = send(
        base_url, "POST", "/warranties", json.dumps({**WARRANTY, "item_title": "x" * 1_000_000}).encode()
    )

    assert reply.status_code == 413
    assert reply.json() == {"message": "Request body is larger than 16384 bytes."}


@pytest.mark.parametrize(("method", "path", "_"), BODY_ROUTES, ids=IDS)
def test_a_body_of_another_content_type_is_415(base_url: str, method: str, path: str, _: object) -> None:
    reply = send(base_url, method, path, b"--x\r\n", content_type="multipart/form-data")

    assert reply.status_code == 415
    assert reply.json() == {"message": "Unsupported content type: send application/json."}


@pytest.mark.parametrize("method", ["TRACE", "CONNECT", "BREW", "PROPFIND"])
def test_a_method_no_route_declares_is_405_with_allow(base_url: str, method: str) -> None:
    status, headers, body = raw_request(base_url, method, "/v1/sprockets")

    assert status == 405
    assert headers["allow"] == "GET, POST"
    assert json.loads(body) == {"message": "Method not allowed."}


def raw_request(base_url: str, method: str, path: str) -> tuple[int, dict[str, str], bytes]:
    """One request as sent, over a socket (CONNECT takes a host in its target in requests)."""
    address = urlsplit(base_url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        connection.sendall(
            f"{method} {path} HTTP/1.1\r\nHost: {address.netloc}\r\nConnection: close\r\n\r\n".encode()
        )
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {
        name.lower(): value.strip() for name, _, value in (line.partition(":") for line in header_lines)
    }
    return int(status_line.split()[1]), headers, body


@pytest.mark.parametrize(
    "store_id", ["b21ad0676f26439", "5B0C1F9E-8D2A-4C3E-9F1A-2B7D6E4C8A10", "store_42", "x" * 64]
)
def test_store_ids_are_the_stores_own_and_kept_as_sent(base_url: str, store_id: str) -> None:
    reply = requests.post(f"{base_url}/warranties", json={**WARRANTY, "store_uuid": store_id}, timeout=30)

    assert reply.status_code == 201
    assert reply.json()["store"]["uuid"] == store_id


@pytest.mark.parametrize("store_id", ["", "x" * 65, "a b", "café", "a/b"])
def test_other_store_ids_are_422(base_url: str, store_id: str) -> None:
    reply = requests.post(f"{base_url}/warranties", json={**WARRANTY, "store_uuid": store_id}, timeout=30)

    assert reply.status_code == 422
    assert reply.json()["message"][0].startswith("store_uuid: ")
