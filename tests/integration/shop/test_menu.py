"""The menu as anyone reads it and as a manager writes it, through the local cloud."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
import requests

from tests.integration.shop.conftest import MenuProduct, User, unique

pytestmark = pytest.mark.integration

NOT_FOUND = {"message": "Not found."}
DEMO_MENU = {
    "Cappuccino": ["Small", "Medium", "Large"],
    "Donuts": ["Glazed", "Jelly", "Boston Cream"],
    "Hot Chocolate": ["Small", "Medium", "Large"],
    "Iced Drinks": ["Smoothie", "Iced Coffee", "Iced Macchiato"],
    "Latte": ["Pumpkin Spice", "Vanilla", "Hazelnut"],
    "Tea": [],
}


def menu(base_url: str) -> list[dict[str, Any]]:
    response = requests.get(f"{base_url}/menu", timeout=30)
    assert response.status_code == 200
    listed: list[dict[str, Any]] = response.json()
    return listed


def on_menu(base_url: str, product_id: int) -> dict[str, Any] | None:
    return next((product for product in menu(base_url) if product["id"] == product_id), None)


def test_anyone_reads_the_demo_menu_ordered_by_name(base_url: str) -> None:
    products = menu(base_url)

    demo = {product["name"]: [v["name"] for v in product["variations"]] for product in products}
    assert {name: demo.get(name) for name in DEMO_MENU} == DEMO_MENU
    names = [product["name"] for product in products]
    assert names == sorted(names, key=str.casefold)
    assert all(Decimal(str(product["price"])) > 0 for product in products)


def test_a_manager_adds_a_product_that_the_menu_shows_at_once(base_url: str, manager: User) -> None:
    body = {"name": unique("Flat White"), "description": "Velvety.", "price": 3.85}

    created = requests.post(f"{base_url}/menu/products", json=body, headers=manager.headers, timeout=30)

    assert created.status_code == 201, created.text
    product = created.json()
    assert product == {"id": product["id"], **body, "variations": []}
    assert created.headers["Location"] == f"{base_url}/menu/products/{product['id']}"
    assert on_menu(base_url, product["id"]) == product
    requests.delete(created.headers["Location"], headers=manager.headers, timeout=30)


def test_a_manager_changes_a_product_and_its_variations(
    base_url: str, manager: User, add_product: Callable[..., MenuProduct]
) -> None:
    latte = add_product(price=4.5, variations={"Vanilla": 0.5})
    variation = f"{base_url}/menu/products/{latte.id}/variations/{latte.variation_ids['Vanilla']}"

    patched = requests.patch(
        f"{base_url}/menu/products/{latte.id}",
        json={"description": None, "price": 4.75},
        headers=manager.headers,
        timeout=30,
    )
    renamed = requests.patch(variation, json={"name": "French Vanilla"}, headers=manager.headers, timeout=30)

    assert patched.status_code == 200
    assert (patched.json()["description"], patched.json()["price"]) == (None, 4.75)
    assert renamed.status_code == 200
    assert renamed.json() == {
        "id": latte.variation_ids["Vanilla"],
        "name": "French Vanilla",
        "price_change": 0.5,
    }
    shown = on_menu(base_url, latte.id)
    assert shown is not None
    assert shown["price"] == 4.75
    assert shown["variations"] == [renamed.json()]


def test_deletes_are_soft_gone_from_the_menu_and_not_found_after(
    base_url: str, manager: User, add_product: Callable[..., MenuProduct]
) -> None:
    latte = add_product(variations={"Vanilla": 0.5, "Hazelnut": 0.6})
    hazelnut = f"{base_url}/menu/products/{latte.id}/variations/{latte.variation_ids['Hazelnut']}"

    assert requests.delete(hazelnut, headers=manager.headers, timeout=30).status_code == 204
    shown = on_menu(base_url, latte.id)
    assert shown is not None
    assert [variation["name"] for variation in shown["variations"]] == ["Vanilla"]
    gone = requests.patch(hazelnut, json={"price_change": 1}, headers=manager.headers, timeout=30)
    assert (gone.status_code, gone.json()) == (404, NOT_FOUND)

    product = f"{base_url}/menu/products/{latte.id}"
    assert requests.delete(product, headers=manager.headers, timeout=30).status_code == 204
    assert on_menu(base_url, latte.id) is None
    again = requests.delete(product, headers=manager.headers, timeout=30)
    assert (again.status_code, again.json()) == (404, NOT_FOUND)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "", "price": 1}, "name"),
        ({"name": "x" * 101, "price": 1}, "name"),
        ({"name": "Mocha", "price": 0}, "price"),
        ({"name": "Mocha", "price": 1.005}, "price"),
        ({"name": "Mocha", "price": "1.00"}, "price"),
        ({"name": "Mocha", "price": 1, "description": "x" * 501}, "description"),
    ],
)
def test_an_invalid_product_is_422_naming_the_field(
    base_url: str, manager: User, body: dict[str, Any], field: str
) -> None:
    response = requests.post(f"{base_url}/menu/products", json=body, headers=manager.headers, timeout=30)

    assert response.status_code == 422
    assert [message.split(":")[0] for message in response.json()["message"]] == [field]


def test_a_negative_price_change_is_422(
    base_url: str, manager: User, add_product: Callable[..., MenuProduct]
) -> None:
    tea = add_product(name="Tea")

    response = requests.post(
        f"{base_url}/menu/products/{tea.id}/variations",
        json={"name": "Smaller", "price_change": -0.5},
        headers=manager.headers,
        timeout=30,
    )

    assert response.status_code == 422
    assert response.json()["message"][0].startswith("price_change:")


def test_unknown_products_and_variations_are_not_found(
    base_url: str, manager: User, add_product: Callable[..., MenuProduct]
) -> None:
    tea = add_product(name="Tea")
    other = add_product(variations={"Vanilla": 0.5})
    paths = [
        "/menu/products/987654321",
        "/menu/products/abc",
        f"/menu/products/{tea.id}/variations/987654321",
        f"/menu/products/{tea.id}/variations/{other.variation_ids['Vanilla']}",
    ]
    for path in paths:
        response = requests.patch(
            f"{base_url}{path}", json={"name": "X"}, headers=manager.headers, timeout=30
        )
        assert (response.status_code, response.json()) == (404, NOT_FOUND), path


def test_a_customer_hears_403_before_the_body_is_read(base_url: str, customer: User) -> None:
    response = requests.post(
        f"{base_url}/menu/products",
        data="{not json",
        headers={**customer.headers, "Content-Type": "application/json"},
        timeout=30,
    )

    assert (response.status_code, response.json()) == (403, {"message": "Only managers may do this."})
