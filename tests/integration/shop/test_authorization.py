"""Who may do what in the shop: every shop route, called anonymously, by the customer who owns the
order, by another customer and by a manager. One table; each row gets a fresh product, variation and
order, so no call depends on what another did."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from infra.local.users import DEMO_CUSTOMER
from infra.topology import FUNCTIONS
from tests.integration.shop.conftest import PASSWORD, MenuProduct, User

pytestmark = pytest.mark.integration

SHOP_FUNCTIONS = ("auth", "menu", "orders")
CALLERS = ("anonymous", "customer", "other customer", "manager")


@dataclass(frozen=True)
class World:
    product: MenuProduct
    order_id: int

    @property
    def variation_id(self) -> int:
        return self.product.variation_ids["Vanilla"]


Body = Callable[[World], dict[str, Any] | None]


def order_body(world: World) -> dict[str, Any]:
    line = {"product_id": world.product.id, "variation_id": world.variation_id, "quantity": 1}
    return {"location": "in_house", "lines": [line]}


def signup_body(_: World) -> dict[str, Any]:
    return {"email": f"matrix-{uuid.uuid4().hex[:12]}@example.com", "password": PASSWORD}


def token_body(_: World) -> dict[str, Any]:
    return {"username": DEMO_CUSTOMER.email, "password": DEMO_CUSTOMER.password}


@dataclass(frozen=True)
class Row:
    method: str
    template: str
    # The status each caller gets, in the order of CALLERS.
    expected: tuple[int, int, int, int]
    body: Body = lambda _: None

    def path(self, world: World) -> str:
        return self.template.replace("{vid}", str(world.variation_id)).replace(
            "{id}", str(world.order_id if self.template.startswith("/orders") else world.product.id)
        )


MATRIX = (
    Row("POST", "/auth/signup", (201, 201, 201, 201), signup_body),
    Row("POST", "/auth/token", (200, 200, 200, 200), token_body),
    Row("GET", "/users/me", (401, 200, 200, 200)),
    Row("GET", "/menu", (200, 200, 200, 200)),
    Row("POST", "/menu/products", (401, 403, 403, 201), lambda _: {"name": "Matrix", "price": 1}),
    Row("PATCH", "/menu/products/{id}", (401, 403, 403, 200), lambda _: {"price": 2}),
    Row("DELETE", "/menu/products/{id}", (401, 403, 403, 204)),
    Row(
        "POST",
        "/menu/products/{id}/variations",
        (401, 403, 403, 201),
        lambda _: {"name": "Oat", "price_change": 0.4},
    ),
    Row("PATCH", "/menu/products/{id}/variations/{vid}", (401, 403, 403, 200), lambda _: {"price_change": 1}),
    Row("DELETE", "/menu/products/{id}/variations/{vid}", (401, 403, 403, 204)),
    Row("POST", "/orders", (401, 201, 201, 403), order_body),
    Row("GET", "/orders", (401, 200, 200, 200)),
    Row("GET", "/orders/{id}", (401, 200, 404, 200)),
    Row("PATCH", "/orders/{id}/status", (401, 403, 403, 200), lambda _: {"status": "preparation"}),
    Row("POST", "/orders/{id}/cancel", (401, 200, 404, 403)),
    Row("GET", "/orders/{id}/events", (401, 200, 404, 200)),
)


def test_the_matrix_covers_every_shop_route() -> None:
    declared = {
        (route.method, route.resource_path)
        for function in FUNCTIONS
        if function.name in SHOP_FUNCTIONS
        for route in function.routes
    }

    assert {(row.method, row.template) for row in MATRIX} == declared


@pytest.mark.parametrize("row", MATRIX, ids=lambda row: f"{row.method} {row.template}")
@pytest.mark.parametrize("caller", CALLERS)
def test_each_caller_gets_what_their_role_allows(
    base_url: str,
    add_product: Callable[..., MenuProduct],
    customer: User,
    other_customer: User,
    manager: User,
    *,
    row: Row,
    caller: str,
) -> None:
    product = add_product(variations={"Vanilla": 0.5})
    placed = requests.post(
        f"{base_url}/orders",
        json=order_body(World(product, 0)),
        headers=customer.headers,
        timeout=30,
    )
    assert placed.status_code == 201, placed.text
    world = World(product, placed.json()["id"])
    headers = {
        "anonymous": {},
        "customer": customer.headers,
        "other customer": other_customer.headers,
        "manager": manager.headers,
    }[caller]

    response = requests.request(
        row.method, f"{base_url}{row.path(world)}", json=row.body(world), headers=headers, timeout=30
    )

    assert response.status_code == row.expected[CALLERS.index(caller)], response.text
    if response.status_code >= 400:
        assert isinstance(response.json()["message"], str | list), response.text
