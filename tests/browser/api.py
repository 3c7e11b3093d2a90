"""The few API calls the browser tests make themselves: setting up a scene (orders on the board)
and counting what the pages did. Everything else goes through the pages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import requests

TIMEOUT = 30


@dataclass(frozen=True)
class Caller:
    base_url: str
    headers: dict[str, str]

    def get(self, path: str) -> Any:
        response = requests.get(f"{self.base_url}{path}", headers=self.headers, timeout=TIMEOUT)
        assert response.status_code == 200, response.text
        return response.json()

    def send(self, method: str, path: str, body: dict[str, Any], expected: int) -> Any:
        response = requests.request(
            method, f"{self.base_url}{path}", json=body, headers=self.headers, timeout=TIMEOUT
        )
        assert response.status_code == expected, response.text
        return response.json()


def sign_in(base_url: str, email: str, password: str) -> Caller:
    response = requests.post(
        f"{base_url}/auth/token", json={"username": email, "password": password}, timeout=TIMEOUT
    )
    assert response.status_code == 200, response.text
    return Caller(base_url, {"Authorization": f"Bearer {response.json()['access_token']}"})


def sign_up(base_url: str, email: str, password: str) -> Caller:
    response = requests.post(
        f"{base_url}/auth/signup", json={"email": email, "password": password}, timeout=TIMEOUT
    )
    assert response.status_code in (201, 409), response.text
    return sign_in(base_url, email, password)


def place_order(customer: Caller, lines: Sequence[tuple[int, str, str | None]], location: str) -> int:
    """`lines`: (quantity, product name, variation name or None) as the menu names them."""
    menu = {product["name"]: product for product in customer.get("/menu")}
    body_lines = []
    for quantity, name, variation in lines:
        product = menu[name]
        variations = {option["name"]: option["id"] for option in product["variations"]}
        body_lines.append(
            {
                "product_id": product["id"],
                "variation_id": variations[variation] if variation else None,
                "quantity": quantity,
            }
        )
    order = customer.send("POST", "/orders", {"location": location, "lines": body_lines}, 201)
    return int(order["id"])


def move(manager: Caller, order_id: int, *statuses: str) -> None:
    for status in statuses:
        manager.send("PATCH", f"/orders/{order_id}/status", {"status": status}, 200)
