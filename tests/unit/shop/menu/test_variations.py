"""The menu's variation routes through the real handler, on moto's DynamoDB, signed in as a manager."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers.handlers import HandlerClient
from tests.unit.shop.claims import MANAGER
from tests.unit.shop.menu.conftest import add_product, add_variation

NOT_FOUND = (404, {"message": "Not found."})


def menu_of(menu: HandlerClient) -> list[dict[str, Any]]:
    return list(menu.get("/menu").json())


def test_add_returns_the_variation_and_its_location(menu: HandlerClient) -> None:
    product = add_product(menu)
    body = {"name": "Vanilla", "price_change": 0.55}

    reply = menu.post(f"/menu/products/{product['id']}/variations", body=body, claims=MANAGER)

    assert reply.status == 201
    variation = reply.json()
    assert variation == {"id": variation["id"], **body}
    assert reply.headers["Location"] == (
        f"https://api.example.com/menu/products/{product['id']}/variations/{variation['id']}"
    )


def test_variations_are_on_the_menu_in_the_order_they_were_added(menu: HandlerClient) -> None:
    product = add_product(menu, "Latte")
    added = [add_variation(menu, product["id"], name) for name in ("Vanilla", "Hazelnut", "Pumpkin Spice")]

    assert menu_of(menu) == [{**product, "variations": added}]


def test_each_product_has_its_own_variations(menu: HandlerClient) -> None:
    latte = add_product(menu, "Latte")
    tea = add_product(menu, "Tea")
    vanilla = add_variation(menu, latte["id"], "Vanilla")

    assert menu_of(menu) == [{**latte, "variations": [vanilla]}, {**tea, "variations": []}]


def test_a_price_change_of_zero_is_allowed(menu: HandlerClient) -> None:
    product = add_product(menu, "Cappuccino")

    assert add_variation(menu, product["id"], "Small", 0)["price_change"] == 0


def test_products_and_variations_never_share_an_id(menu: HandlerClient) -> None:
    ids = []
    for name in ("Latte", "Cappuccino"):
        product = add_product(menu, name)
        ids.append(product["id"])
        ids.extend(add_variation(menu, product["id"], size)["id"] for size in ("Small", "Large"))

    assert len(set(ids)) == len(ids) == 6


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": None}, "name"),
        ({"price_change": -0.01}, "price_change"),
        ({"price_change": 0.555}, "price_change"),
        ({"price_change": None}, "price_change"),
        ({"price_change": True}, "price_change"),
    ],
)
def test_add_with_a_refused_field_is_422_naming_it(
    menu: HandlerClient, fields: dict[str, Any], field: str
) -> None:
    product = add_product(menu)
    body = {"name": "Vanilla", "price_change": 0.55, **fields}

    reply = menu.post(f"/menu/products/{product['id']}/variations", body=body, claims=MANAGER)

    assert reply.status == 422
    assert any(message.startswith(f"{field}: ") for message in reply.json()["message"])
    assert menu_of(menu) == [product]


def test_patch_changes_only_the_fields_sent(menu: HandlerClient) -> None:
    product = add_product(menu)
    vanilla = add_variation(menu, product["id"], "Vanilla", 0.55)
    hazelnut = add_variation(menu, product["id"], "Hazelnut", 0.6)
    path = f"/menu/products/{product['id']}/variations/{vanilla['id']}"

    reply = menu.patch(path, body={"price_change": 0.75}, claims=MANAGER)

    assert reply.status == 200
    changed = {**vanilla, "price_change": 0.75}
    assert reply.json() == changed
    assert menu_of(menu) == [{**product, "variations": [changed, hazelnut]}]


def test_patch_renames_a_variation(menu: HandlerClient) -> None:
    product = add_product(menu)
    variation = add_variation(menu, product["id"], "Vanila")

    reply = menu.patch(
        f"/menu/products/{product['id']}/variations/{variation['id']}",
        body={"name": "Vanilla"},
        claims=MANAGER,
    )

    assert reply.json() == {**variation, "name": "Vanilla"}


@pytest.mark.parametrize(
    ("body", "field"), [({"name": None}, "name"), ({"price_change": None}, "price_change")]
)
def test_patch_with_a_null_field_is_422(menu: HandlerClient, body: dict[str, Any], field: str) -> None:
    product = add_product(menu)
    variation = add_variation(menu, product["id"])

    reply = menu.patch(
        f"/menu/products/{product['id']}/variations/{variation['id']}", body=body, claims=MANAGER
    )

    assert reply.status == 422
    assert any(message.startswith(f"{field}: ") for message in reply.json()["message"])


def test_patch_without_a_known_field_is_400(menu: HandlerClient) -> None:
    product = add_product(menu)
    variation = add_variation(menu, product["id"])

    reply = menu.patch(
        f"/menu/products/{product['id']}/variations/{variation['id']}", body={"size": 2}, claims=MANAGER
    )

    assert reply.status == 400
    assert reply.json() == {"message": "No input data provided"}


def test_delete_takes_the_variation_off_the_menu(menu: HandlerClient) -> None:
    product = add_product(menu)
    vanilla = add_variation(menu, product["id"], "Vanilla")
    hazelnut = add_variation(menu, product["id"], "Hazelnut")

    reply = menu.delete(f"/menu/products/{product['id']}/variations/{vanilla['id']}", claims=MANAGER)

    assert reply.status == 204
    assert menu_of(menu) == [{**product, "variations": [hazelnut]}]


def test_a_deleted_variation_is_not_found_afterwards(menu: HandlerClient) -> None:
    product = add_product(menu)
    variation = add_variation(menu, product["id"])
    path = f"/menu/products/{product['id']}/variations/{variation['id']}"
    menu.delete(path, claims=MANAGER)

    answers = [menu.patch(path, body={"name": "Again"}, claims=MANAGER), menu.delete(path, claims=MANAGER)]

    assert [(reply.status, reply.json()) for reply in answers] == [NOT_FOUND] * 2


def test_variations_of_a_deleted_product_are_not_found(menu: HandlerClient) -> None:
    product = add_product(menu)
    variation = add_variation(menu, product["id"])
    menu.delete(f"/menu/products/{product['id']}", claims=MANAGER)
    path = f"/menu/products/{product['id']}/variations/{variation['id']}"

    answers = [menu.patch(path, body={"name": "Again"}, claims=MANAGER), menu.delete(path, claims=MANAGER)]

    assert [(reply.status, reply.json()) for reply in answers] == [NOT_FOUND] * 2


def test_a_variation_of_another_product_is_not_found(menu: HandlerClient) -> None:
    latte = add_product(menu, "Latte")
    tea = add_product(menu, "Tea")
    vanilla = add_variation(menu, latte["id"], "Vanilla")
    path = f"/menu/products/{tea['id']}/variations/{vanilla['id']}"

    answers = [menu.patch(path, body={"name": "Mint"}, claims=MANAGER), menu.delete(path, claims=MANAGER)]

    assert [(reply.status, reply.json()) for reply in answers] == [NOT_FOUND] * 2
    assert menu_of(menu) == [{**latte, "variations": [vanilla]}, tea]


@pytest.mark.parametrize("variation_id", ["999", "abc", "0", "-2"])
def test_an_unknown_or_invalid_variation_id_is_404(menu: HandlerClient, variation_id: str) -> None:
    product = add_product(menu)
    add_variation(menu, product["id"])
    path = f"/menu/products/{product['id']}/variations/{variation_id}"

    answers = [menu.patch(path, body={"name": "Mint"}, claims=MANAGER), menu.delete(path, claims=MANAGER)]

    assert [(reply.status, reply.json()) for reply in answers] == [NOT_FOUND] * 2


@pytest.mark.parametrize("product_id", ["999", "abc", "0"])
def test_a_variation_of_an_unknown_or_invalid_product_is_404(menu: HandlerClient, product_id: str) -> None:
    add_product(menu)

    reply = menu.post(
        f"/menu/products/{product_id}/variations",
        body={"name": "Vanilla", "price_change": 0.5},
        claims=MANAGER,
    )

    assert (reply.status, reply.json()) == NOT_FOUND
