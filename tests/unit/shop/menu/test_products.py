"""The menu's product routes through the real handler, on moto's DynamoDB, signed in as a manager."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers.handlers import HandlerClient
from tests.unit.shop.claims import MANAGER
from tests.unit.shop.menu.conftest import add_product, add_variation

LATTE: dict[str, Any] = {"name": "Latte", "description": "Espresso and steamed milk.", "price": 4.1}


def menu_of(menu: HandlerClient) -> list[dict[str, Any]]:
    reply = menu.get("/menu")
    assert reply.status == 200, reply.body
    return list(reply.json())


def test_create_returns_the_product_without_variations_and_its_location(menu: HandlerClient) -> None:
    reply = menu.post("/menu/products", body=LATTE, claims=MANAGER)

    assert reply.status == 201
    body = reply.json()
    assert body == {"id": body["id"], **LATTE, "variations": []}
    assert isinstance(body["id"], int)
    assert body["id"] > 0
    assert reply.headers["Location"] == f"https://api.example.com/menu/products/{body['id']}"


def test_a_created_product_is_on_the_menu_at_once(menu: HandlerClient) -> None:
    created = add_product(menu, **LATTE)

    assert menu_of(menu) == [created]


def test_create_without_a_description_leaves_it_null(menu: HandlerClient) -> None:
    reply = menu.post("/menu/products", body={"name": "Tea", "price": 2.5}, claims=MANAGER)

    assert reply.status == 201
    assert reply.json()["description"] is None


def test_create_keeps_the_name_without_surrounding_space(menu: HandlerClient) -> None:
    reply = menu.post("/menu/products", body={"name": "  Tea ", "price": 2.5}, claims=MANAGER)

    assert reply.json()["name"] == "Tea"


def test_created_products_get_distinct_ids(menu: HandlerClient) -> None:
    ids = {add_product(menu, f"MenuProduct {n}")["id"] for n in range(5)}

    assert len(ids) == 5


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": None}, "name"),
        ({"description": "x" * 501}, "description"),
        ({"price": 0}, "price"),
        ({"price": -1}, "price"),
        ({"price": 4.555}, "price"),
        ({"price": "4.10"}, "price"),
        ({"price": None}, "price"),
        ({"price": 10000.01}, "price"),
    ],
)
def test_create_with_a_refused_field_is_422_naming_it(
    menu: HandlerClient, fields: dict[str, Any], field: str
) -> None:
    reply = menu.post("/menu/products", body={**LATTE, **fields}, claims=MANAGER)

    assert reply.status == 422
    messages = reply.json()["message"]
    assert isinstance(messages, list)
    assert any(message.startswith(f"{field}: ") for message in messages), messages
    assert menu_of(menu) == []


@pytest.mark.parametrize("missing", ["name", "price"])
def test_create_without_a_required_field_is_422(menu: HandlerClient, missing: str) -> None:
    body = {name: value for name, value in LATTE.items() if name != missing}

    reply = menu.post("/menu/products", body=body, claims=MANAGER)

    assert reply.status == 422
    assert any(message.startswith(f"{missing}: ") for message in reply.json()["message"])


def test_create_without_input_is_400(menu: HandlerClient) -> None:
    reply = menu.post("/menu/products", raw_body="", claims=MANAGER)

    assert reply.status == 400
    assert reply.json() == {"message": "No input data provided"}


def test_create_with_a_body_over_16_kib_is_413(menu: HandlerClient) -> None:
    reply = menu.post(
        "/menu/products", body={**LATTE, "padding": "x" * 17_000}, claims=MANAGER, resource="/menu/products"
    )

    assert reply.status == 413


def test_patch_changes_only_the_fields_sent(menu: HandlerClient) -> None:
    product = add_product(menu, **LATTE)
    variation = add_variation(menu, product["id"])

    reply = menu.patch(f"/menu/products/{product['id']}", body={"price": 4.3}, claims=MANAGER)

    assert reply.status == 200
    expected = {**product, "price": 4.3, "variations": [variation]}
    assert reply.json() == expected
    assert menu_of(menu) == [expected]


def test_patch_with_a_null_description_clears_it(menu: HandlerClient) -> None:
    product = add_product(menu, **LATTE)

    reply = menu.patch(f"/menu/products/{product['id']}", body={"description": None}, claims=MANAGER)

    assert reply.status == 200
    assert reply.json()["description"] is None
    assert menu_of(menu)[0]["description"] is None


def test_patch_of_every_field(menu: HandlerClient) -> None:
    product = add_product(menu, **LATTE)
    changes = {"name": "Flat White", "description": "Less milk.", "price": 3.95}

    reply = menu.patch(f"/menu/products/{product['id']}", body=changes, claims=MANAGER)

    assert reply.json() == {**product, **changes}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": None}, "name"),
        ({"price": None}, "price"),
        ({"name": ""}, "name"),
        ({"price": 0}, "price"),
        ({"description": "x" * 501}, "description"),
    ],
)
def test_patch_with_a_refused_field_is_422_and_changes_nothing(
    menu: HandlerClient, fields: dict[str, Any], field: str
) -> None:
    product = add_product(menu, **LATTE)

    reply = menu.patch(f"/menu/products/{product['id']}", body=fields, claims=MANAGER)

    assert reply.status == 422
    assert any(message.startswith(f"{field}: ") for message in reply.json()["message"])
    assert menu_of(menu) == [product]


@pytest.mark.parametrize("body", [{}, {"colour": "brown"}])
def test_patch_without_a_known_field_is_400(menu: HandlerClient, body: dict[str, Any]) -> None:
    product = add_product(menu, **LATTE)

    reply = menu.patch(f"/menu/products/{product['id']}", body=body, claims=MANAGER)

    assert reply.status == 400
    assert reply.json() == {"message": "No input data provided"}


def test_delete_takes_the_product_off_the_menu(menu: HandlerClient) -> None:
    latte = add_product(menu, "Latte")
    tea = add_product(menu, "Tea")

    reply = menu.delete(f"/menu/products/{latte['id']}", claims=MANAGER)

    assert reply.status == 204
    assert reply.body == ""
    assert menu_of(menu) == [tea]


def test_a_deleted_product_is_not_found_afterwards(menu: HandlerClient) -> None:
    product = add_product(menu)
    path = f"/menu/products/{product['id']}"
    menu.delete(path, claims=MANAGER)

    answers = [
        menu.delete(path, claims=MANAGER),
        menu.patch(path, body={"price": 5}, claims=MANAGER),
        menu.post(f"{path}/variations", body={"name": "Vanilla", "price_change": 0.5}, claims=MANAGER),
    ]

    assert [(reply.status, reply.json()) for reply in answers] == [(404, {"message": "Not found."})] * 3


@pytest.mark.parametrize("product_id", ["999", "abc", "0", "-1", "1.5", "01"])
def test_an_unknown_or_invalid_product_id_is_404(menu: HandlerClient, product_id: str) -> None:
    add_product(menu)
    path = f"/menu/products/{product_id}"

    answers = [
        menu.patch(path, body={"price": 5}, claims=MANAGER),
        menu.delete(path, claims=MANAGER),
    ]

    assert [(reply.status, reply.json()) for reply in answers] == [(404, {"message": "Not found."})] * 2
