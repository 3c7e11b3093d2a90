"""The products routes through the real handler, on moto's DynamoDB."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from shopfloor.catalog.models import ProductModel
from shopfloor.catalog.wiring import product_service
from shopfloor.platform.tables import bind
from tests.helpers.handlers import HandlerClient
from tests.unit.catalog.fakes import FakeRegistrar
from tests.unit.conftest import TABLE_NAMES


def create(products: HandlerClient, name: str = "Kettle", description: str | None = None) -> dict[str, Any]:
    reply = products.post("/products", body={"name": name, "description": description})
    assert reply.status == 201
    return dict(reply.json())


def test_create_returns_the_product_with_its_location(products: HandlerClient) -> None:
    reply = products.post("/products", body={"name": "Kettle", "description": "1.7 l"})

    assert reply.status == 201
    body = reply.json()
    assert body == {"id": body["id"], "name": "Kettle", "description": "1.7 l"}
    assert isinstance(body["id"], int)
    assert body["id"] > 0
    assert reply.headers["Location"] == f"https://api.example.com/products/{body['id']}"


def test_created_products_get_distinct_ids(products: HandlerClient) -> None:
    ids = {create(products, f"p{n}")["id"] for n in range(5)}

    assert len(ids) == 5


def test_create_ignores_unknown_fields_and_defaults_description_to_null(products: HandlerClient) -> None:
    reply = products.post("/products", body={"name": "Kettle", "colour": "red"})

    assert reply.status == 201
    assert reply.json()["description"] is None
    assert "colour" not in reply.json()


@pytest.mark.parametrize("raw_body", [None, "", "   ", "{}"])
def test_create_without_input_is_400(products: HandlerClient, raw_body: str | None) -> None:
    reply = products.post("/products", raw_body=raw_body)

    assert reply.status == 400
    assert reply.json() == {"message": "No input data provided"}


@pytest.mark.parametrize(
    ("raw_body", "message"),
    [
        ("[1]", "Request body must be a JSON object."),
        ('"name"', "Request body must be a JSON object."),
        ("{not json", "Request body must be valid JSON."),
    ],
)
def test_create_with_a_body_that_is_not_an_object_is_400(
    products: HandlerClient, raw_body: str, message: str
) -> None:
    reply = products.post("/products", raw_body=raw_body)

    assert reply.status == 400
    assert reply.json() == {"message": message}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"description": "no name"}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": 42}, "name"),
        ({"name": "ok", "description": "x" * 2001}, "description"),
        ({"name": "ok", "description": 7}, "description"),
    ],
)
def test_create_with_invalid_fields_is_422_naming_the_field(
    products: HandlerClient, body: dict[str, object], field: str
) -> None:
    reply = products.post("/products", body=body)

    assert reply.status == 422
    messages = reply.json()["message"]
    assert isinstance(messages, list)
    assert any(message.startswith(f"{field}: ") for message in messages), messages


def test_create_with_an_unsupported_content_type_is_415(products: HandlerClient) -> None:
    reply = products.post("/products", raw_body='{"name": "Kettle"}', headers={"Content-Type": "text/plain"})

    assert reply.status == 415
    assert reply.json() == {"message": "Unsupported content type: send application/json."}


def test_create_from_a_form_without_a_name_is_422(products: HandlerClient) -> None:
    form = {"Content-Type": "application/x-www-form-urlencoded"}

    reply = products.post("/products", raw_body="colour=red", headers=form)

    assert reply.status == 422
    assert reply.json() == {"message": ["name: Field required"]}


def test_create_accepts_a_json_body_without_a_content_type(products: HandlerClient) -> None:
    reply = products.post("/products", raw_body='{"name": "Kettle"}')

    assert reply.status == 201


def test_create_accepts_the_longest_valid_fields(products: HandlerClient) -> None:
    reply = products.post("/products", body={"name": "x" * 200, "description": "y" * 2000})

    assert reply.status == 201


def test_get_returns_the_product(products: HandlerClient) -> None:
    product = create(products, "Kettle", "steel")

    reply = products.get(f"/products/{product['id']}")

    assert reply.status == 200
    assert reply.json() == product


@pytest.mark.parametrize("product_id", ["999", "0", "-1", "abc", "1.5", "1e3", "99999999999999999999"])
def test_get_of_a_missing_or_invalid_id_is_404(products: HandlerClient, product_id: str) -> None:
    reply = products.get(f"/products/{product_id}")

    assert reply.status == 404
    assert reply.json() == {"message": "Not found."}


def test_patch_changes_only_the_fields_sent(products: HandlerClient) -> None:
    product = create(products, "Kettle", "steel")

    reply = products.patch(f"/products/{product['id']}", body={"description": "copper"})

    assert reply.status == 200
    assert reply.json() == {**product, "description": "copper"}
    assert products.get(f"/products/{product['id']}").json() == {**product, "description": "copper"}


def test_patch_with_null_description_clears_it(products: HandlerClient) -> None:
    product = create(products, "Kettle", "steel")

    reply = products.patch(f"/products/{product['id']}", body={"description": None})

    assert reply.status == 200
    assert reply.json()["description"] is None


def test_patch_with_null_name_is_422(products: HandlerClient) -> None:
    product = create(products)

    reply = products.patch(f"/products/{product['id']}", body={"name": None})

    assert reply.status == 422
    assert reply.json()["message"][0].startswith("name: ")


@pytest.mark.parametrize("raw_body", [None, "", "{}", '{"unknown": 1}'])
def test_patch_without_input_is_400(products: HandlerClient, raw_body: str | None) -> None:
    product = create(products)

    reply = products.patch(f"/products/{product['id']}", raw_body=raw_body)

    assert reply.status == 400
    assert reply.json() == {"message": "No input data provided"}


def test_patch_of_a_missing_product_is_404_and_creates_nothing(products: HandlerClient) -> None:
    reply = products.patch("/products/4242", body={"name": "ghost"})

    assert reply.status == 404
    assert products.get("/products/4242").status == 404


def test_put_replaces_the_whole_product(products: HandlerClient) -> None:
    product = create(products, "Kettle", "steel")

    reply = products.put(f"/products/{product['id']}", body={"name": "Teapot"})

    assert reply.status == 200
    assert reply.json() == {"id": product["id"], "name": "Teapot", "description": None}
    assert products.get(f"/products/{product['id']}").json() == reply.json()


def test_put_of_a_missing_product_is_404_and_creates_nothing(products: HandlerClient) -> None:
    reply = products.put("/products/4242", body={"name": "ghost"})

    assert reply.status == 404
    assert products.get("/products/4242").status == 404


def test_put_with_invalid_fields_is_422(products: HandlerClient) -> None:
    product = create(products)

    reply = products.put(f"/products/{product['id']}", body={"description": "no name"})

    assert reply.status == 422
    assert reply.json() == {"message": ["name: Field required"]}


def test_delete_answers_204_without_body_then_404(products: HandlerClient) -> None:
    product = create(products)

    first = products.delete(f"/products/{product['id']}")
    second = products.delete(f"/products/{product['id']}")

    assert first.status == 204
    assert first.body == ""
    assert second.status == 404
    assert products.get(f"/products/{product['id']}").status == 404


def test_every_route_answers_with_a_trailing_slash(products: HandlerClient) -> None:
    product = create(products)
    path = f"/products/{product['id']}/"

    assert products.get("/products/").status == 200
    assert products.post("/products/", body={"name": "x"}).status == 201
    assert products.get(path).status == 200
    assert products.patch(path, body={"name": "y"}).status == 200
    assert products.put(path, body={"name": "z"}).status == 200
    assert products.delete(path).status == 204


def test_list_pages_with_link_headers_until_every_product_is_seen(products: HandlerClient) -> None:
    created = {create(products, f"p{n}")["id"] for n in range(7)}
    seen: list[int] = []
    path: str | None = "/products?limit=3"
    pages = 0

    while path:
        reply = products.get(path)
        assert reply.status == 200
        page = reply.json()
        assert len(page) <= 3
        seen.extend(product["id"] for product in page)
        pages += 1
        link = reply.headers.get("Link")
        path = link.split(">")[0].removeprefix("<https://api.example.com") if link else None

    assert sorted(seen) == sorted(created)
    assert pages == 3


def test_list_of_an_exactly_full_page_has_no_next_link(products: HandlerClient) -> None:
    for n in range(2):
        create(products, f"p{n}")

    reply = products.get("/products?limit=2")

    assert len(reply.json()) == 2
    assert "Link" not in reply.headers


@pytest.mark.parametrize("limit", ["0", "1001", "abc", "-5"])
def test_list_with_an_invalid_limit_is_422(products: HandlerClient, limit: str) -> None:
    reply = products.get(f"/products?limit={limit}")

    assert reply.status == 422
    assert reply.json()["message"][0].startswith("limit: ")


@pytest.mark.parametrize("cursor", ["garbage", "eyJ4IjogMX0", "W10"])
def test_list_with_a_cursor_we_did_not_issue_is_400(products: HandlerClient, cursor: str) -> None:
    reply = products.get(f"/products?cursor={cursor}")

    assert reply.status == 400
    assert reply.json() == {"message": "Invalid cursor."}


def test_unknown_route_in_the_function_is_404_in_the_envelope(products: HandlerClient) -> None:
    reply = products.get("/nothing-here")

    assert reply.status == 404
    assert reply.json() == {"message": "Not found."}


def test_create_is_503_and_stores_nothing_when_registration_fails(
    products: HandlerClient, registrar: FakeRegistrar
) -> None:
    registrar.failing = True

    reply = products.post("/products", body={"name": "Kettle"})

    assert reply.status == 503
    assert reply.json() == {"message": "Call to external service failed."}
    assert "Retry-After" not in reply.headers
    assert products.get("/products").json() == []


def test_create_registers_the_product_with_the_offers_service(
    products: HandlerClient, registrar: FakeRegistrar
) -> None:
    products.post("/products", body={"name": "Kettle", "description": "steel"})

    assert list(registrar.registered.values()) == [("Kettle", "steel")]


def test_delete_queues_the_purge_of_the_products_offers_and_history(
    products: HandlerClient, sync_queue: str
) -> None:
    product = create(products)

    products.delete(f"/products/{product['id']}")

    messages = boto3.client("sqs").receive_message(QueueUrl=sync_queue, MaxNumberOfMessages=10)["Messages"]
    assert [json.loads(message["Body"]) for message in messages] == [
        {"product_id": product["id"], "purge": True}
    ]


def test_replace_keeps_the_products_registration(products: HandlerClient) -> None:
    product = create(products)
    model = bind(ProductModel, TABLE_NAMES["products"])
    registered_as = model.get(product["id"]).offers_id

    products.put(f"/products/{product['id']}", body={"name": "Teapot"})

    assert registered_as is not None
    assert model.get(product["id"]).offers_id == registered_as


def test_delete_answers_204_even_when_the_purge_cannot_be_queued(
    products: HandlerClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    product = create(products)
    monkeypatch.setattr(product_service()._cleanup, "_queue_url", "http://127.0.0.1:9/no-such-queue")

    reply = products.delete(f"/products/{product['id']}")

    assert reply.status == 204
    assert products.get(f"/products/{product['id']}").status == 404
