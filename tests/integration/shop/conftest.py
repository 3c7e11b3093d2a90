"""Signed-in clients of the shop: the local cloud's demo users, and customers signed up on the spot."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from infra.local.users import DEMO_MANAGER

PASSWORD = "Shop-test-1"


@dataclass(frozen=True)
class User:
    email: str
    headers: dict[str, str]


def sign_in(base_url: str, email: str, password: str) -> User:
    response = requests.post(
        f"{base_url}/auth/token", json={"username": email, "password": password}, timeout=30
    )
    assert response.status_code == 200, response.text
    return User(email, {"Authorization": f"Bearer {response.json()['access_token']}"})


def new_customer(base_url: str) -> User:
    email = f"customer-{uuid.uuid4().hex[:12]}@example.com"
    response = requests.post(
        f"{base_url}/auth/signup", json={"email": email, "password": PASSWORD}, timeout=30
    )
    assert response.status_code == 201, response.text
    return sign_in(base_url, email, PASSWORD)


@pytest.fixture(scope="session")
def manager(base_url: str) -> User:
    return sign_in(base_url, DEMO_MANAGER.email, DEMO_MANAGER.password)


@pytest.fixture(scope="session")
def customer(base_url: str) -> User:
    return new_customer(base_url)


@pytest.fixture(scope="session")
def other_customer(base_url: str) -> User:
    return new_customer(base_url)


def unique(name: str) -> str:
    return f"{name} {uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class MenuProduct:
    id: int
    name: str
    variation_ids: dict[str, int]


@pytest.fixture
def add_product(base_url: str, manager: User) -> Iterator[Callable[..., MenuProduct]]:
    """Puts a product (with the variations given, name -> price change) on the menu; deletes the
    products it made when the test ends, so the menu does not grow with every run."""
    made: list[int] = []

    def add(
        price: float = 4.5, variations: dict[str, float] | None = None, name: str = "Latte"
    ) -> MenuProduct:
        body: dict[str, Any] = {"name": unique(name), "description": "A test product.", "price": price}
        created = requests.post(f"{base_url}/menu/products", json=body, headers=manager.headers, timeout=30)
        assert created.status_code == 201, created.text
        product_id = created.json()["id"]
        made.append(product_id)
        ids: dict[str, int] = {}
        for variation, change in (variations or {}).items():
            answer = requests.post(
                f"{base_url}/menu/products/{product_id}/variations",
                json={"name": variation, "price_change": change},
                headers=manager.headers,
                timeout=30,
            )
            assert answer.status_code == 201, answer.text
            ids[variation] = answer.json()["id"]
        return MenuProduct(product_id, body["name"], ids)

    yield add
    for product_id in made:
        requests.delete(f"{base_url}/menu/products/{product_id}", headers=manager.headers, timeout=30)
