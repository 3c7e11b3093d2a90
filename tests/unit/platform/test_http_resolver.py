"""What every function's resolver (shopfloor.platform.http) answers beyond its routes: a method a path
does not declare (405 with `Allow`: the HTTP API's `ANY` route of each path takes it to the path's
owner), an unknown path (404), and gzip for answers of 1 KiB or more to a client that accepts it."""

from __future__ import annotations

import base64
import gzip
import json
import re
from functools import cache
from types import ModuleType
from typing import Any

import pytest

from infra.topology import path_owners
from shopfloor.platform.http import COMPRESS_FROM_BYTES, accepts_gzip
from tests.helpers.events import api_event
from tests.helpers.handlers import HandlerClient, load_handler
from tests.helpers.lambda_context import FakeLambdaContext
from tests.unit.shop.claims import CUSTOMER, MANAGER

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
BROWSER = "gzip, deflate, br, zstd"


@cache
def handler(function_name: str) -> ModuleType:
    return load_handler(function_name.replace("-", "_"))


def call(function_name: str, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
    answer: dict[str, Any] = handler(function_name).lambda_handler(
        api_event(method, path, **kwargs), FakeLambdaContext()
    )
    return answer


def declared_methods(path: str) -> set[str]:
    owner = path_owners()[path]
    return {route.method for route in owner.routes if route.resource_path == path}


def concrete(path: str) -> str:
    return re.sub(r"\{\w+\}", "1", path)


def body_of(answer: dict[str, Any]) -> bytes:
    """The body as the client gets it, still encoded (gzip or not)."""
    body = answer.get("body") or ""
    return base64.b64decode(body) if answer["isBase64Encoded"] else body.encode()


# 405 and 404


@pytest.mark.parametrize("path", sorted(path_owners()))
def test_every_path_answers_a_method_it_does_not_declare_405_with_its_methods(path: str) -> None:
    declared = declared_methods(path)
    undeclared = [method for method in METHODS if method not in declared]

    for method in undeclared:
        answer = call(path_owners()[path].name, method, concrete(path))

        assert answer["statusCode"] == 405, (method, answer)
        assert json.loads(answer["body"]) == {"message": "Method not allowed."}
        assert answer["headers"]["Allow"] == ", ".join(sorted(declared))


@pytest.mark.parametrize(
    ("function_name", "method", "path", "allow"),
    [
        ("products", "PUT", "/products", "GET, POST"),
        ("products", "PUT", "/products/", "GET, POST"),
        ("products", "POST", "/products/7", "DELETE, GET, PATCH, PUT"),
        ("offers", "DELETE", "/products/7/offers", "GET"),
        ("warranties", "DELETE", "/warranties", "GET, POST"),
        ("factories", "PUT", "/v1/factories/3/chart.svg", "GET"),
        ("sprockets", "DELETE", "/v1/sprockets", "GET, POST"),
        ("auth", "GET", "/auth/token", "POST"),
        ("menu", "DELETE", "/menu", "GET"),
        ("orders", "DELETE", "/orders/5/", "GET"),
        ("health", "POST", "/health", "GET"),
        ("docs", "DELETE", "/openapi.json", "GET"),
    ],
)
def test_a_method_the_path_does_not_declare_is_405_in_each_context(
    function_name: str, method: str, path: str, allow: str
) -> None:
    answer = call(function_name, method, path)

    assert (answer["statusCode"], json.loads(answer["body"])) == (405, {"message": "Method not allowed."})
    assert answer["headers"]["Allow"] == allow


def test_a_signed_in_path_answers_405_to_a_signed_in_caller_too() -> None:
    answer = call("menu", "PUT", "/menu/products", claims=MANAGER)

    assert answer["statusCode"] == 405
    assert answer["headers"]["Allow"] == "POST"


@pytest.mark.parametrize(
    ("function_name", "path"),
    [("products", "/nope"), ("products", "/menu"), ("menu", "/products"), ("orders", "/orders/1/2/3")],
)
def test_a_path_the_function_does_not_serve_is_404_without_allow(function_name: str, path: str) -> None:
    answer = call(function_name, "GET", path)

    assert (answer["statusCode"], json.loads(answer["body"])) == (404, {"message": "Not found."})
    assert "Allow" not in answer["headers"]


# Compression


def products_with(products: HandlerClient, description_bytes: int, count: int = 1) -> list[dict[str, Any]]:
    """Products created (through the fixture's handler, whose offers service is a fake), each with
    a description of that many bytes."""
    created = []
    for index in range(count):
        reply = products.post("/products", body={"name": f"p{index}", "description": "d" * description_bytes})
        assert reply.status == 201
        created.append(reply.json())
    return created


def test_a_large_model_is_gzipped_for_a_client_that_accepts_gzip(products: HandlerClient) -> None:
    [product] = products_with(products, 1_500)

    answer = call("products", "GET", f"/products/{product['id']}", accept_encoding=BROWSER)

    assert answer["statusCode"] == 200
    assert answer["isBase64Encoded"] is True
    assert answer["headers"]["Content-Encoding"] == "gzip"
    assert answer["headers"]["Vary"] == "Accept-Encoding"
    assert json.loads(gzip.decompress(body_of(answer))) == product


def test_a_large_dict_is_gzipped() -> None:
    answer = call("docs", "GET", "/openapi.json", accept_encoding="gzip")

    assert answer["headers"]["Content-Encoding"] == "gzip"
    document = json.loads(gzip.decompress(body_of(answer)))
    assert document["servers"] == [{"url": "https://api.example.com"}]


def test_a_large_page_with_its_link_is_gzipped(products: HandlerClient) -> None:
    products_with(products, 600, count=3)

    answer = call("products", "GET", "/products?limit=2", accept_encoding=BROWSER)

    assert answer["headers"]["Content-Encoding"] == "gzip"
    assert answer["headers"]["Link"].startswith("<https://api.example.com/products?limit=2&cursor=")
    assert len(json.loads(gzip.decompress(body_of(answer)))) == 2


def test_a_large_error_answer_is_gzipped() -> None:
    order = {"location": "take_away", "lines": [{"variation_id": None}] * 20}

    answer = call("orders", "POST", "/orders", body=order, claims=CUSTOMER, accept_encoding="gzip")

    assert answer["statusCode"] == 422
    assert answer["headers"]["Content-Encoding"] == "gzip"
    messages = json.loads(gzip.decompress(body_of(answer)))["message"]
    assert "lines.19.quantity: Field required" in messages


def test_a_large_text_answer_is_gzipped() -> None:
    answer = call("docs", "GET", "/docs", accept_encoding=BROWSER)

    assert answer["headers"]["Content-Encoding"] == "gzip"
    assert "SwaggerUIBundle" in gzip.decompress(body_of(answer)).decode()


def test_an_answer_just_under_1_kib_is_never_gzipped(products: HandlerClient) -> None:
    [product] = products_with(products, 0)
    padding = COMPRESS_FROM_BYTES - 1 - len(json.dumps({**product, "description": ""}, separators=(",", ":")))
    [product] = products_with(products, padding)

    answer = call("products", "GET", f"/products/{product['id']}", accept_encoding=BROWSER)

    assert len(body_of(answer)) == COMPRESS_FROM_BYTES - 1
    assert answer["isBase64Encoded"] is False
    assert "Content-Encoding" not in answer["headers"]
    assert json.loads(answer["body"]) == product


def test_an_answer_of_exactly_1_kib_is_gzipped(products: HandlerClient) -> None:
    [product] = products_with(products, 0)
    padding = COMPRESS_FROM_BYTES - len(json.dumps({**product, "description": ""}, separators=(",", ":")))
    [product] = products_with(products, padding)

    answer = call("products", "GET", f"/products/{product['id']}", accept_encoding=BROWSER)

    assert answer["headers"]["Content-Encoding"] == "gzip"
    assert len(gzip.decompress(body_of(answer))) == COMPRESS_FROM_BYTES


def test_a_small_answer_is_plain() -> None:
    answer = call("health", "GET", "/health", accept_encoding=BROWSER)

    assert answer["isBase64Encoded"] is False
    assert "Content-Encoding" not in answer["headers"]
    assert "Vary" not in answer["headers"]
    assert json.loads(answer["body"])


@pytest.mark.parametrize("accept_encoding", [None, "", "identity", "br, zstd", "gzip;q=0", "*"])
def test_a_large_answer_is_plain_for_a_client_that_does_not_accept_gzip(
    products: HandlerClient, accept_encoding: str | None
) -> None:
    [product] = products_with(products, 1_500)

    answer = call("products", "GET", f"/products/{product['id']}", accept_encoding=accept_encoding)

    assert answer["isBase64Encoded"] is False
    assert "Content-Encoding" not in answer["headers"]
    assert answer["headers"]["Vary"] == "Accept-Encoding"
    assert json.loads(answer["body"]) == product


@pytest.mark.parametrize(
    ("header", "accepted"),
    [
        ("gzip", True),
        ("GZIP", True),
        ("x-gzip", True),
        ("gzip, deflate, br", True),
        ("br;q=1.0, gzip;q=0.5", True),
        ("gzip ; q=0.001", True),
        ("deflate,gzip", True),
        (None, False),
        ("", False),
        ("identity", False),
        ("br", False),
        ("gzip;q=0", False),
        ("gzip;q=0.000", False),
        ("gzip;q=nonsense", False),
        ("*", False),
        ("gzipped", False),
    ],
)
def test_accept_encoding_admits_gzip_when_it_names_it_with_a_non_zero_quality(
    header: str | None, accepted: bool
) -> None:
    assert accepts_gzip(header) is accepted


# What payload format 2.0 carries differently


def test_a_repeated_query_parameter_arrives_comma_joined_and_a_scalar_refuses_it(
    products: HandlerClient,
) -> None:
    event = api_event("GET", "/products?limit=2&limit=3")
    assert event["queryStringParameters"] == {"limit": "2,3"}

    reply = products.get("/products?limit=2&limit=3")

    assert reply.status == 422
    assert reply.json()["message"][0].startswith("limit: ")


def test_a_value_with_a_comma_stays_one_value(products: HandlerClient) -> None:
    reply = products.get("/products?cursor=abc,def")

    assert (reply.status, reply.json()) == (400, {"message": "Invalid cursor."})


def test_a_base64_encoded_body_is_read_as_its_text() -> None:
    warranty = {
        "store_uuid": "store-1",
        "item_type": "electronics",
        "item_sku": "TV-55",
        "item_cost": 1299.99,
        "item_title": "Téléviseur 55 pouces",
    }
    encoded = base64.b64encode(json.dumps(warranty).encode()).decode()
    event = api_event("POST", "/warranties", raw_body=encoded, headers={"Content-Type": "application/json"})

    as_text = handler("warranties").lambda_handler(event, FakeLambdaContext())
    answer = handler("warranties").lambda_handler({**event, "isBase64Encoded": True}, FakeLambdaContext())

    assert as_text["statusCode"] == 400  # the same characters, not flagged as base64, are not JSON
    assert answer["statusCode"] == 201
    assert json.loads(answer["body"])["item"]["title"] == "Téléviseur 55 pouces"
