"""Loading a menu through the API (infra.seed.load_menu): signed in as a manager, products matched by
name, variations by name within their product, only what is missing created; and the demo menu."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from infra.seed import (
    DEMO_MENU_FILE,
    Answer,
    Manager,
    SeedError,
    is_menu_file,
    load_menu,
    main,
    manager_from_environ,
    read_menu_file,
)

MANAGER = Manager("manager@example.com", "Manager-test-1")
TOKEN = "a-manager-token"


@pytest.fixture
def aws() -> None:
    """Pure: none of the moto tables every other unit test gets."""


class FakeMenuApi:
    """The auth and menu routes as their contract has them, on a menu held in memory."""

    def __init__(self, products: list[dict[str, Any]] | None = None) -> None:
        self.products = products or []
        self.requests: list[tuple[str, str, Any]] = []
        self.next_id = 100
        self.refuse_path: str | None = None

    def get(self, path: str, headers: Mapping[str, str]) -> Answer:
        self.requests.append(("GET", path, None))
        assert path == "/menu"
        return Answer(200, json.loads(json.dumps(self.products)), {})

    def post(self, path: str, body: dict[str, Any], headers: Mapping[str, str]) -> Answer:
        self.requests.append(("POST", path, body))
        if path == "/auth/token":
            if (body["username"], body["password"]) != (MANAGER.email, MANAGER.password):
                return Answer(401, {"message": "Incorrect email or password."}, {})
            return Answer(200, {"access_token": TOKEN, "token_type": "bearer", "expires_in": 3600}, {})
        if headers.get("Authorization") != f"Bearer {TOKEN}":
            return Answer(401, {"message": "Unauthorized."}, {})
        if path == self.refuse_path:
            return Answer(422, {"message": ["price: Input should be greater than 0"]}, {})
        self.next_id += 1
        if path == "/menu/products":
            product = {**body, "id": self.next_id, "variations": []}
            self.products.append(product)
            return Answer(201, product, {"location": f"/menu/products/{self.next_id}"})
        product_id = int(path.split("/")[3])
        product = next(product for product in self.products if product["id"] == product_id)
        variation = {**body, "id": self.next_id}
        product["variations"].append(variation)
        return Answer(201, variation, {})

    @property
    def writes(self) -> list[tuple[str, Any]]:
        return [
            (path, body) for method, path, body in self.requests if method == "POST" and "auth" not in path
        ]


def menu_file(tmp_path: Path, menu: Any) -> Path:
    path = tmp_path / "menu.json"
    path.write_text(json.dumps({"menu": menu}))
    return path


def test_the_demo_menu_is_the_issues_six_products_with_prices_of_two_decimals() -> None:
    products = read_menu_file(DEMO_MENU_FILE)

    assert {product.name: [v.name for v in product.variations] for product in products} == {
        "Latte": ["Pumpkin Spice", "Vanilla", "Hazelnut"],
        "Cappuccino": ["Small", "Medium", "Large"],
        "Iced Drinks": ["Smoothie", "Iced Coffee", "Iced Macchiato"],
        "Tea": [],
        "Hot Chocolate": ["Small", "Medium", "Large"],
        "Donuts": ["Glazed", "Jelly", "Boston Cream"],
    }
    for product in products:
        assert product.price > 0
        assert round(product.price, 2) == product.price
        assert product.description
        for variation in product.variations:
            assert variation.price_change >= 0
            assert round(variation.price_change, 2) == variation.price_change
    latte = products[0]
    assert (latte.price, latte.variations[1].price_change) == (4.5, 0.5)
    assert is_menu_file(DEMO_MENU_FILE)


def test_an_empty_menu_gets_every_product_and_variation_signed_in() -> None:
    api = FakeMenuApi()

    loaded = load_menu(api, DEMO_MENU_FILE, MANAGER)

    assert (loaded.products, loaded.products_created, loaded.variations, loaded.variations_created) == (
        6,
        6,
        15,
        15,
    )
    assert api.requests[0] == (
        "POST",
        "/auth/token",
        {"username": MANAGER.email, "password": MANAGER.password},
    )
    assert api.writes[0] == (
        "/menu/products",
        {
            "name": "Latte",
            "description": "Espresso with steamed milk and a thin layer of foam.",
            "price": 4.5,
        },
    )
    assert api.writes[1] == ("/menu/products/101/variations", {"name": "Pumpkin Spice", "price_change": 0.75})
    assert loaded.describe() == (
        "seeds/menu.json: 6 products, 6 created, 0 already on the menu; "
        "15 variations, 15 created, 0 already on the menu"
    )


def test_loading_again_creates_nothing() -> None:
    api = FakeMenuApi()
    load_menu(api, DEMO_MENU_FILE, MANAGER)
    writes = len(api.writes)

    again = load_menu(api, DEMO_MENU_FILE, MANAGER)

    assert (again.products_created, again.variations_created) == (0, 0)
    assert len(api.writes) == writes
    assert len(api.products) == 6


def test_only_what_is_missing_is_created_matching_names_without_case(tmp_path: Path) -> None:
    existing = [
        {
            "id": 1,
            "name": "latte",
            "description": None,
            "price": 9.99,
            "variations": [{"id": 2, "name": "VANILLA"}],
        },
        {"id": 3, "name": "Muffin", "description": None, "price": 3, "variations": []},
    ]
    api = FakeMenuApi(existing)
    path = menu_file(
        tmp_path,
        [
            {
                "name": "Latte",
                "description": "x",
                "price": 4.5,
                "variations": [
                    {"name": "Vanilla", "price_change": 0.5},
                    {"name": "Hazelnut", "price_change": 0.5},
                ],
            },
            {"name": "Tea", "price": 2.5},
        ],
    )

    loaded = load_menu(api, path, MANAGER)

    assert api.writes == [
        ("/menu/products/1/variations", {"name": "Hazelnut", "price_change": 0.5}),
        ("/menu/products", {"name": "Tea", "description": None, "price": 2.5}),
    ]
    assert (loaded.products_created, loaded.variations_created) == (1, 1)
    assert api.products[0]["price"] == 9.99  # an existing product is left as it is


def test_a_refused_sign_in_stops_before_any_write() -> None:
    api = FakeMenuApi()

    with pytest.raises(SeedError, match=r"signing in as manager@example.com was refused: 401 .*Incorrect"):
        load_menu(api, DEMO_MENU_FILE, Manager(MANAGER.email, "wrong"))
    assert api.writes == []


def test_a_refused_product_is_named() -> None:
    api = FakeMenuApi()
    api.refuse_path = "/menu/products"

    with pytest.raises(SeedError, match=r"seeds/menu.json: Latte was refused: 422 .*price"):
        load_menu(api, DEMO_MENU_FILE, MANAGER)


@pytest.mark.parametrize(
    ("menu", "problem"),
    [
        ({"name": "x"}, "'menu' list"),
        ([{"name": "Tea", "price": 2}, {"name": " tea ", "price": 3}], "the product ' tea ' is listed twice"),
        ([{"name": "Tea", "price": 2, "varations": []}], "unknown field.*'varations'"),
        ([{"name": "", "price": 2}], "'name' must be a non-blank string"),
        ([{"name": "Tea", "price": "2.50"}], "'price' must be a number"),
        ([{"name": "Tea", "price": True}], "'price' must be a number"),
        ([{"name": "Tea", "price": 2, "description": 5}], "'description' must be a string or null"),
        ([{"name": "Tea", "price": 2, "variations": {}}], "'variations' must be a list"),
        ([{"name": "Tea", "price": 2, "variations": [{"name": "A"}]}], "variation 1: 'price_change'"),
        (
            [{"name": "Tea", "price": 2, "variations": [{"name": "A", "price_change": 0}] * 2}],
            "'Tea' variation 'A' is listed twice",
        ),
    ],
)
def test_a_file_not_in_the_menu_format_is_refused_before_any_request(
    tmp_path: Path, menu: Any, problem: str
) -> None:
    api = FakeMenuApi()

    with pytest.raises(SeedError, match=problem):
        load_menu(api, menu_file(tmp_path, menu), MANAGER)
    assert api.requests == []


def test_the_manager_comes_from_two_environment_variables() -> None:
    environ = {"SHOPFLOOR_MANAGER_EMAIL": " boss@example.com ", "SHOPFLOOR_MANAGER_PASSWORD": "Secret-1"}

    assert manager_from_environ(environ) == Manager("boss@example.com", "Secret-1")
    assert manager_from_environ({"SHOPFLOOR_MANAGER_EMAIL": "boss@example.com"}) is None
    assert "Secret-1" not in repr(manager_from_environ(environ))


def test_make_seed_into_a_deployed_stack_needs_a_manager_before_any_request(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("SHOPFLOOR_MANAGER_EMAIL", raising=False)
    monkeypatch.delenv("SHOPFLOOR_MANAGER_PASSWORD", raising=False)

    # Port 9 (discard): nothing answers there, and nothing is asked.
    assert main(["--api-url", "http://127.0.0.1:9"]) == 1

    error = capsys.readouterr().err
    assert error.startswith("error: seeds/menu.json is a menu")
    assert "SHOPFLOOR_MANAGER_EMAIL and SHOPFLOOR_MANAGER_PASSWORD" in error
