"""Who may change the menu: managers only; anyone reads it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers.handlers import HandlerClient
from tests.unit.shop.claims import CUSTOMER, MANAGER
from tests.unit.shop.menu.conftest import add_product, add_variation

# Every write route, with a body it would accept from a manager ({p}: a product, {v}: its variation).
WRITES = [
    ("POST", "/menu/products", {"name": "Mocha", "price": 4.5}),
    ("PATCH", "/menu/products/{p}", {"price": 5}),
    ("DELETE", "/menu/products/{p}", None),
    ("POST", "/menu/products/{p}/variations", {"name": "Oat milk", "price_change": 0.4}),
    ("PATCH", "/menu/products/{p}/variations/{v}", {"price_change": 0.9}),
    ("DELETE", "/menu/products/{p}/variations/{v}", None),
]


@pytest.fixture
def stocked(menu: HandlerClient) -> dict[str, int]:
    product = add_product(menu, "Latte")
    variation = add_variation(menu, product["id"], "Vanilla")
    return {"p": product["id"], "v": variation["id"]}


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_a_write_without_a_signed_in_caller_is_401_and_changes_nothing(
    menu: HandlerClient, stocked: dict[str, int], method: str, path: str, body: dict[str, Any] | None
) -> None:
    before = menu.get("/menu").json()

    reply = menu.request(method, path.format(**stocked), body=body)

    assert reply.status == 401
    assert reply.json() == {"message": "Unauthorized."}
    assert menu.get("/menu").json() == before


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_a_write_by_a_customer_is_403_and_changes_nothing(
    menu: HandlerClient, stocked: dict[str, int], method: str, path: str, body: dict[str, Any] | None
) -> None:
    before = menu.get("/menu").json()

    reply = menu.request(method, path.format(**stocked), body=body, claims=CUSTOMER)

    assert reply.status == 403
    assert isinstance(reply.json()["message"], str)
    assert menu.get("/menu").json() == before


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_a_write_by_a_manager_succeeds(
    menu: HandlerClient, stocked: dict[str, int], method: str, path: str, body: dict[str, Any] | None
) -> None:
    reply = menu.request(method, path.format(**stocked), body=body, claims=MANAGER)

    assert reply.status in {200, 201, 204}, reply.body


def test_a_customer_asking_about_an_unknown_product_is_403_not_404(menu: HandlerClient) -> None:
    reply = menu.patch("/menu/products/999", body={"price": 5}, claims=CUSTOMER)

    assert reply.status == 403


@pytest.mark.parametrize("claims", [None, CUSTOMER, MANAGER])
def test_anyone_reads_the_menu(
    menu: HandlerClient, stocked: dict[str, int], claims: dict[str, str] | None
) -> None:
    reply = menu.get("/menu", claims=claims)

    assert reply.status == 200
    assert [product["id"] for product in reply.json()] == [stocked["p"]]


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_a_customer_hears_403_before_the_body_is_read(
    menu: HandlerClient, stocked: dict[str, int], method: str, path: str, body: dict[str, Any] | None
) -> None:
    resource = path.replace("{p}", "{id}").replace("{v}", "{vid}")

    reply = menu.request(
        method, path.format(**stocked), raw_body="{not json", resource=resource, claims=CUSTOMER
    )

    assert reply.status == 403
    assert reply.json() == {"message": "Only managers may do this."}
