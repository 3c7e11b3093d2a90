from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from shopfloor.shop.menu.models import VIEW_ID, MenuItemModel
from shopfloor.shop.menu.schemas import MenuProduct, MenuView, Variation
from shopfloor.shop.orders.service import OrderService
from shopfloor.shop.wiring import order_service
from tests.helpers.handlers import HandlerClient, load_handler
from tests.unit.conftest import TABLE_NAMES
from tests.unit.shop.claims import CUSTOMER, MANAGER

LATTE, TEA, CAPPUCCINO = 1, 2, 3
PUMPKIN_SPICE, VANILLA, HAZELNUT = 11, 12, 13
SMALL, LARGE = 31, 33
DELETED_PRODUCT = 4  # not in the view: deleted (or never there)

MENU = MenuView(
    products=(
        MenuProduct(
            id=CAPPUCCINO,
            name="Cappuccino",
            description=None,
            price=Decimal("3.20"),
            variations=[
                Variation(id=SMALL, name="Small", price_change=Decimal("0")),
                Variation(id=LARGE, name="Large", price_change=Decimal("0.80")),
            ],
        ),
        MenuProduct(
            id=LATTE,
            name="Latte",
            description="Espresso and steamed milk.",
            price=Decimal("3.50"),
            variations=[
                Variation(id=PUMPKIN_SPICE, name="Pumpkin Spice", price_change=Decimal("0.75")),
                Variation(id=VANILLA, name="Vanilla", price_change=Decimal("0.55")),
                Variation(id=HAZELNUT, name="Hazelnut", price_change=Decimal("0.60")),
            ],
        ),
        MenuProduct(id=TEA, name="Tea", description=None, price=Decimal("2.10"), variations=[]),
    )
)


class Clock:
    """The service's clock, moved on by the test: orders placed a second apart."""

    def __init__(self) -> None:
        self.moment = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.moment

    def tick(self, seconds: int = 1) -> None:
        self.moment += timedelta(seconds=seconds)


@dataclass
class Shop:
    """The orders function through its handler, with the shop's menu in place."""

    client: HandlerClient
    clock: Clock

    def place(self, claims: dict[str, str] = CUSTOMER, **changes: Any) -> dict[str, Any]:
        reply = self.client.post("/orders", body=order(**changes), claims=claims)
        assert reply.status == 201, reply.body
        self.clock.tick()
        return dict(reply.json())

    def move(self, order_id: int, status: str, claims: dict[str, str] = MANAGER) -> dict[str, Any]:
        reply = self.client.patch(f"/orders/{order_id}/status", body={"status": status}, claims=claims)
        assert reply.status == 200, reply.body
        self.clock.tick()
        return dict(reply.json())


def order(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "location": "take_away",
        "lines": [{"product_id": LATTE, "variation_id": VANILLA, "quantity": 2}],
    }
    return {**body, **changes}


def line(product_id: int, variation_id: int | None = None, quantity: int = 1) -> dict[str, Any]:
    return {"product_id": product_id, "variation_id": variation_id, "quantity": quantity}


def put_menu(view: MenuView) -> None:
    class Menu(MenuItemModel):
        class Meta:
            table_name = TABLE_NAMES["menu"]

    Menu(VIEW_ID, body=view.model_dump_json(), version=1).save()


@pytest.fixture(autouse=True)
def _fresh_service(aws: None) -> Iterator[None]:
    """Each test's service talks to that test's moto (the handler builds it at import)."""
    order_service.cache_clear()
    yield
    order_service.cache_clear()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def orders(clock: Clock) -> HandlerClient:
    """The orders handler, its service on the test's clock, with the menu in place."""
    put_menu(MENU)
    module = load_handler("orders")
    real = order_service()
    service = OrderService(
        real._repository, real._read_menu, real._next_id, idempotency_ttl=real._idempotency_ttl, now=clock.now
    )
    module.app.dependency_overrides[order_service] = lambda: service
    return HandlerClient(module)


@pytest.fixture
def shop(orders: HandlerClient, clock: Clock) -> Shop:
    return Shop(orders, clock)
