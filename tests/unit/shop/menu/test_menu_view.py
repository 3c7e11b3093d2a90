"""GET /menu and the precomputed view behind it: order, one read, its size, money, concurrent writes."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import boto3
import pytest

from shopfloor.platform.tables import bind
from shopfloor.shop.menu.models import MenuItemModel, read_view
from shopfloor.shop.menu.schemas import MenuProductIn, MenuView
from shopfloor.shop.menu.service import MenuRepository, MenuService, ProductRecord, VersionedView
from shopfloor.shop.wiring import menu_service
from tests.helpers.aws_calls import counting_aws_calls, dynamodb_writes
from tests.helpers.handlers import HandlerClient, load_handler
from tests.unit.conftest import TABLE_NAMES
from tests.unit.shop.claims import MANAGER
from tests.unit.shop.menu.conftest import add_product, add_variation

SMALL_VIEW_BYTES = 1_000


def names_on(menu: HandlerClient) -> list[str]:
    return [product["name"] for product in menu.get("/menu").json()]


def stored_item(item_id: str) -> dict[str, Any]:
    key = {"id": {"S": item_id}}
    return dict(boto3.client("dynamodb").get_item(TableName=TABLE_NAMES["menu"], Key=key)["Item"])


def test_an_empty_menu_is_an_empty_list(menu: HandlerClient) -> None:
    reply = menu.get("/menu")

    assert reply.status == 200
    assert reply.json() == []


def test_products_are_ordered_by_name_whatever_their_case(menu: HandlerClient) -> None:
    for name in ("Tea", "latte", "Iced Drinks", "Cappuccino", "Donuts", "Hot Chocolate"):
        add_product(menu, name)

    assert names_on(menu) == ["Cappuccino", "Donuts", "Hot Chocolate", "Iced Drinks", "latte", "Tea"]


def test_a_renamed_product_moves_to_its_place(menu: HandlerClient) -> None:
    add_product(menu, "Cappuccino")
    tea = add_product(menu, "Tea")

    menu.patch(f"/menu/products/{tea['id']}", body={"name": "Americano"}, claims=MANAGER)

    assert names_on(menu) == ["Americano", "Cappuccino"]


def test_the_menu_is_one_get_item_whatever_its_size(menu: HandlerClient) -> None:
    for number in range(25):
        product = add_product(menu, f"MenuProduct {number:02}")
        for size in ("Small", "Medium", "Large"):
            add_variation(menu, product["id"], size)

    with counting_aws_calls() as calls:
        reply = menu.get("/menu")

    assert reply.status == 200
    assert len(reply.json()) == 25
    assert dict(calls) == {"dynamodb.GetItem": 1}


def test_a_write_is_one_transaction(menu: HandlerClient) -> None:
    product = add_product(menu)

    with counting_aws_calls() as calls:
        menu.patch(f"/menu/products/{product['id']}", body={"price": 5}, claims=MANAGER)

    assert dynamodb_writes(calls) == 1
    assert calls["dynamodb.TransactWriteItems"] == 1


def test_money_is_exact(menu: HandlerClient) -> None:
    product = add_product(menu, "Latte", price=4.10)
    add_variation(menu, product["id"], "Vanilla", 0.55)

    body = menu.get("/menu").body

    assert '"price":4.1,' in body
    assert '"price_change":0.55}' in body
    (latte,) = json.loads(body, parse_float=Decimal)
    assert latte["price"] + latte["variations"][0]["price_change"] == Decimal("4.65")


def test_the_orders_read_exact_prices_from_the_view(menu: HandlerClient) -> None:
    product = add_product(menu, "Latte", price=19.99)
    variation = add_variation(menu, product["id"], "Large", 0.01)

    view, version = read_view(bind(MenuItemModel, TABLE_NAMES["menu"]))

    latte = view.product(product["id"])
    assert latte is not None
    assert latte.price + latte.variations[0].price_change == Decimal("20.00")
    assert latte.variations[0].id == variation["id"]
    assert version == 2  # one per write


def test_a_deleted_product_is_kept_with_its_variations_for_the_orders(menu: HandlerClient) -> None:
    product = add_product(menu, "Latte", price=4.1)
    vanilla = add_variation(menu, product["id"], "Vanilla", 0.55)
    hazelnut = add_variation(menu, product["id"], "Hazelnut", 0.6)
    menu.delete(f"/menu/products/{product['id']}/variations/{vanilla['id']}", claims=MANAGER)

    menu.delete(f"/menu/products/{product['id']}", claims=MANAGER)

    item = stored_item(f"product#{product['id']}")
    kept = json.loads(item["body"]["S"])
    assert item["deleted_at"]["S"].endswith("Z")
    assert (kept["name"], Decimal(kept["price"])) == ("Latte", Decimal("4.1"))
    assert [(v["id"], v["deleted_at"] is not None) for v in kept["variations"]] == [
        (vanilla["id"], True),
        (hazelnut["id"], False),
    ]
    assert menu.get("/menu").json() == []


@pytest.fixture
def small_menu(monkeypatch: pytest.MonkeyPatch) -> HandlerClient:
    """The menu function configured with a view of at most 1,000 bytes."""
    monkeypatch.setenv("MENU_VIEW_MAX_BYTES", str(SMALL_VIEW_BYTES))
    return HandlerClient(load_handler("menu"))


def test_a_product_that_would_make_the_view_too_large_is_422(small_menu: HandlerClient) -> None:
    first = add_product(small_menu, "First", description="x" * 500)

    reply = small_menu.post(
        "/menu/products", body={"name": "Second", "description": "y" * 500, "price": 2}, claims=MANAGER
    )

    assert reply.status == 422
    (message,) = reply.json()["message"]
    assert message.startswith("menu: ")
    assert small_menu.get("/menu").json() == [first]


def test_a_change_that_would_make_the_view_too_large_is_422(small_menu: HandlerClient) -> None:
    first = add_product(small_menu, "First", description="x" * 400)
    second = add_product(small_menu, "Second", description="y" * 400)

    reply = small_menu.patch(
        f"/menu/products/{second['id']}", body={"description": "z" * 500}, claims=MANAGER
    )

    assert reply.status == 422
    assert reply.json()["message"][0].startswith("menu: ")
    assert small_menu.get("/menu").json() == [first, second]


def test_a_menu_over_a_lowered_limit_can_still_shrink(monkeypatch: pytest.MonkeyPatch) -> None:
    menu = HandlerClient(load_handler("menu"))
    first = add_product(menu, "First", description="x" * 500)
    second = add_product(menu, "Second", description="y" * 500)
    monkeypatch.setenv("MENU_VIEW_MAX_BYTES", str(SMALL_VIEW_BYTES))
    menu_service.cache_clear()
    lowered = HandlerClient(load_handler("menu"))

    grow = lowered.post(
        f"/menu/products/{first['id']}/variations", body={"name": "Big", "price_change": 1}, claims=MANAGER
    )
    shrink = lowered.delete(f"/menu/products/{second['id']}", claims=MANAGER)

    assert (grow.status, shrink.status) == (422, 204)
    assert lowered.get("/menu").json() == [first]


class RacingRepository:
    """The real repository, except that while `races` remain, another manager's write lands just
    before each save (so the save's view is no longer the one it read)."""

    def __init__(self, real: MenuRepository, rival: Callable[[int], None]) -> None:
        self._real = real
        self._rival = rival
        self.races = 0
        self.rivals = 0
        self.saves = 0

    def view(self) -> VersionedView:
        return self._real.view()

    def product(self, product_id: int) -> ProductRecord | None:
        return self._real.product(product_id)

    def save(self, product: ProductRecord, view: MenuView, read_version: int) -> bool:
        self.saves += 1
        if self.races > 0:
            self.races -= 1
            self.rivals += 1
            self._rival(self.rivals)
        return self._real.save(product, view, read_version)


def racing_menu() -> tuple[HandlerClient, RacingRepository]:
    """The menu handler, with a repository whose saves lose races to a rival adding products."""
    module = load_handler("menu")
    real = menu_service()

    def rival(number: int) -> None:
        real.create_product(MenuProductIn(name=f"Rival {number}", price=Decimal(3)))

    repository = RacingRepository(real._repository, rival)
    service = MenuService(repository, real._next_id, view_max_bytes=real._view_max_bytes)
    module.app.dependency_overrides[menu_service] = lambda: service
    return HandlerClient(module), repository


def test_a_write_that_loses_a_race_is_made_again_on_the_new_menu() -> None:
    menu, repository = racing_menu()
    latte = add_product(menu, "Latte")
    repository.races, repository.saves = 2, 0

    reply = menu.patch(f"/menu/products/{latte['id']}", body={"price": 4.5}, claims=MANAGER)

    assert reply.status == 200
    assert repository.saves == 3
    assert names_on(menu) == ["Latte", "Rival 1", "Rival 2"]
    assert menu.get("/menu").json()[0]["price"] == 4.5


def test_a_write_that_keeps_losing_races_is_503_and_changes_nothing() -> None:
    menu, repository = racing_menu()
    repository.races = 100

    reply = menu.post("/menu/products", body={"name": "Latte", "price": 4.1}, claims=MANAGER)

    assert reply.status == 503
    assert isinstance(reply.json()["message"], str)
    assert reply.headers["Retry-After"] == "1"
    assert "Latte" not in names_on(menu)
    assert repository.saves == 5
