from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from shopfloor.shop.wiring import menu_service
from tests.helpers.handlers import HandlerClient, load_handler
from tests.unit.shop.claims import MANAGER


@pytest.fixture(autouse=True)
def _fresh_service(aws: None) -> Iterator[None]:
    """Each test's service talks to that test's moto, with that test's settings (the handler builds
    it at import)."""
    menu_service.cache_clear()
    yield
    menu_service.cache_clear()


@pytest.fixture
def menu() -> HandlerClient:
    return HandlerClient(load_handler("menu"))


def add_product(menu: HandlerClient, name: str = "Latte", **fields: Any) -> dict[str, Any]:
    body = {"name": name, "description": None, "price": 4.1, **fields}
    reply = menu.post("/menu/products", body=body, claims=MANAGER)
    assert reply.status == 201, reply.body
    return dict(reply.json())


def add_variation(
    menu: HandlerClient, product_id: int, name: str = "Vanilla", price_change: float = 0.55
) -> dict[str, Any]:
    body = {"name": name, "price_change": price_change}
    reply = menu.post(f"/menu/products/{product_id}/variations", body=body, claims=MANAGER)
    assert reply.status == 201, reply.body
    return dict(reply.json())
