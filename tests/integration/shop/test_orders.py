"""Orders as customers and managers see them, through the local cloud: placing, reading, the status
flow, cancelling and the timeline."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import pytest
import requests

from tests.integration.shop.conftest import MenuProduct, User

pytestmark = pytest.mark.integration

NOT_FOUND = {"message": "Not found."}


def place(base_url: str, user: User, lines: list[dict[str, Any]], **headers: str) -> requests.Response:
    return requests.post(
        f"{base_url}/orders",
        json={"location": "take_away", "lines": lines},
        headers={**user.headers, **headers},
        timeout=30,
    )


def line(product: MenuProduct, variation: str | None = None, quantity: int = 1) -> dict[str, Any]:
    return {
        "product_id": product.id,
        "variation_id": None if variation is None else product.variation_ids[variation],
        "quantity": quantity,
    }


def move(base_url: str, manager: User, order_id: int, status: str) -> requests.Response:
    return requests.patch(
        f"{base_url}/orders/{order_id}/status", json={"status": status}, headers=manager.headers, timeout=30
    )


@pytest.fixture
def latte(add_product: Callable[..., MenuProduct]) -> MenuProduct:
    return add_product(price=4.10, variations={"Vanilla": 0.55, "Hazelnut": 0.6}, name="Latte")


@pytest.fixture
def tea(add_product: Callable[..., MenuProduct]) -> MenuProduct:
    return add_product(price=2.5, name="Tea")


@pytest.fixture
def order(base_url: str, customer: User, latte: MenuProduct) -> dict[str, Any]:
    response = place(base_url, customer, [line(latte, "Vanilla")])
    assert response.status_code == 201, response.text
    placed: dict[str, Any] = response.json()
    return placed


class TestPlacing:
    def test_an_order_copies_names_and_prices_exactly(
        self, base_url: str, customer: User, latte: MenuProduct, tea: MenuProduct
    ) -> None:
        response = place(base_url, customer, [line(latte, "Vanilla", quantity=3), line(tea, quantity=2)])

        assert response.status_code == 201, response.text
        order = response.json()
        assert response.headers["Location"] == f"{base_url}/orders/{order['id']}"
        assert order["status"] == "waiting"
        assert order["customer"] == customer.email
        assert order["location"] == "take_away"
        first, second = order["lines"]
        assert first["name"] == f"{latte.name} (Vanilla)"
        assert Decimal(str(first["unit_price"])) == Decimal("4.65")
        assert Decimal(str(first["line_total"])) == Decimal("13.95")
        assert second["name"] == tea.name
        assert second["variation_id"] is None
        assert Decimal(str(order["total"])) == Decimal("18.95")
        assert order["created_at"] == order["updated_at"]

    def test_a_price_change_later_does_not_change_a_placed_order(
        self, base_url: str, customer: User, manager: User, tea: MenuProduct
    ) -> None:
        placed = place(base_url, customer, [line(tea)]).json()

        changed = requests.patch(
            f"{base_url}/menu/products/{tea.id}", json={"price": 9.99}, headers=manager.headers, timeout=30
        )

        assert changed.status_code == 200
        stored = requests.get(
            f"{base_url}/orders/{placed['id']}", headers=customer.headers, timeout=30
        ).json()
        assert Decimal(str(stored["total"])) == Decimal("2.5")

    @pytest.mark.parametrize(
        "case",
        [
            "unknown product",
            "unknown variation",
            "another product's variation",
            "no variation",
            "no variations",
        ],
    )
    def test_a_line_that_cannot_be_ordered_is_422_naming_it(
        self,
        base_url: str,
        customer: User,
        latte: MenuProduct,
        tea: MenuProduct,
        add_product: Callable[..., MenuProduct],
        *,
        case: str,
    ) -> None:
        mocha = add_product(variations={"Small": 0}, name="Mocha")
        cases: dict[str, dict[str, Any]] = {
            "unknown product": {"product_id": 987654321, "variation_id": None, "quantity": 1},
            "unknown variation": {"product_id": latte.id, "variation_id": 987654321, "quantity": 1},
            "another product's variation": {
                "product_id": mocha.id,
                "variation_id": latte.variation_ids["Vanilla"],
                "quantity": 1,
            },
            "no variation": {"product_id": latte.id, "variation_id": None, "quantity": 1},
            "no variations": {
                "product_id": tea.id,
                "variation_id": latte.variation_ids["Vanilla"],
                "quantity": 1,
            },
        }

        response = place(base_url, customer, [line(tea), cases[case]])

        assert response.status_code == 422, response.text
        messages = response.json()["message"]
        assert messages
        assert all(message.startswith("lines.1.") for message in messages), messages

    def test_a_deleted_product_or_variation_cannot_be_ordered(
        self, base_url: str, customer: User, manager: User, latte: MenuProduct
    ) -> None:
        requests.delete(
            f"{base_url}/menu/products/{latte.id}/variations/{latte.variation_ids['Hazelnut']}",
            headers=manager.headers,
            timeout=30,
        )

        assert place(base_url, customer, [line(latte, "Hazelnut")]).status_code == 422
        assert place(base_url, customer, [line(latte, "Vanilla")]).status_code == 201
        requests.delete(f"{base_url}/menu/products/{latte.id}", headers=manager.headers, timeout=30)
        assert place(base_url, customer, [line(latte, "Vanilla")]).status_code == 422

    def test_an_idempotency_key_replays_the_first_order_for_that_customer_only(
        self, base_url: str, customer: User, other_customer: User, tea: MenuProduct
    ) -> None:
        key = f"order-{uuid.uuid4()}"

        first = place(base_url, customer, [line(tea)], **{"Idempotency-Key": key})
        again = place(base_url, customer, [line(tea)], **{"Idempotency-Key": key})
        other = place(base_url, other_customer, [line(tea)], **{"Idempotency-Key": key})
        reused = place(base_url, customer, [line(tea, quantity=2)], **{"Idempotency-Key": key})

        assert (first.status_code, again.status_code) == (201, 201)
        assert again.json() == first.json()
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.headers["Location"] == first.headers["Location"]
        assert other.status_code == 201
        assert other.json()["id"] != first.json()["id"]
        assert "Idempotent-Replayed" not in other.headers
        assert reused.status_code == 422

    def test_a_manager_cannot_place_an_order(self, base_url: str, manager: User, tea: MenuProduct) -> None:
        response = place(base_url, manager, [line(tea)])

        assert response.status_code == 403
        assert isinstance(response.json()["message"], str)


class TestReading:
    def test_a_customer_lists_their_own_orders_newest_first(
        self, base_url: str, other_customer: User, customer: User, tea: MenuProduct
    ) -> None:
        mine = [place(base_url, other_customer, [line(tea)]).json()["id"] for _ in range(3)]
        theirs = place(base_url, customer, [line(tea)]).json()["id"]

        listed = requests.get(f"{base_url}/orders", headers=other_customer.headers, timeout=30)

        assert listed.status_code == 200
        ids = [order["id"] for order in listed.json()]
        assert ids[:3] == list(reversed(mine))
        assert theirs not in ids

    def test_a_manager_lists_everyone_s_orders_by_status_in_pages(
        self, base_url: str, manager: User, customer: User, other_customer: User, tea: MenuProduct
    ) -> None:
        first = place(base_url, customer, [line(tea)]).json()["id"]
        second = place(base_url, other_customer, [line(tea)]).json()["id"]
        assert move(base_url, manager, first, "preparation").status_code == 200
        assert move(base_url, manager, second, "preparation").status_code == 200

        page = requests.get(
            f"{base_url}/orders",
            params={"status": "preparation", "limit": "1"},
            headers=manager.headers,
            timeout=30,
        )
        following = requests.get(page.links["next"]["url"], headers=manager.headers, timeout=30)

        assert page.status_code == 200
        assert [order["id"] for order in page.json()] == [second]
        assert [order["id"] for order in following.json()][:1] == [first]
        assert all(order["status"] == "preparation" for order in following.json())

    def test_someone_else_s_order_is_not_found(
        self, base_url: str, other_customer: User, manager: User, order: dict[str, Any]
    ) -> None:
        path = f"{base_url}/orders/{order['id']}"

        assert requests.get(path, headers=manager.headers, timeout=30).json() == order
        response = requests.get(path, headers=other_customer.headers, timeout=30)
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
        missing = requests.get(f"{base_url}/orders/987654321", headers=manager.headers, timeout=30)
        assert (missing.status_code, missing.json()) == (404, NOT_FOUND)


class TestFlow:
    def test_an_order_moves_through_the_flow_and_keeps_its_timeline(
        self, base_url: str, manager: User, customer: User, order: dict[str, Any]
    ) -> None:
        for status in ("preparation", "waiting", "preparation", "ready", "delivered"):
            response = move(base_url, manager, order["id"], status)
            assert response.status_code == 200, response.text
            assert response.json()["status"] == status

        events = requests.get(f"{base_url}/orders/{order['id']}/events", headers=customer.headers, timeout=30)

        assert events.status_code == 200
        assert [(event["status"], event["by"]) for event in events.json()] == [
            ("waiting", "customer"),
            ("preparation", "manager"),
            ("waiting", "manager"),
            ("preparation", "manager"),
            ("ready", "manager"),
            ("delivered", "manager"),
        ]

    @pytest.mark.parametrize(
        ("path", "wanted", "current"),
        [
            ((), "ready", "waiting"),
            (("preparation", "ready"), "waiting", "ready"),
            (("preparation", "ready", "delivered"), "preparation", "delivered"),
            ((), "delivered", "waiting"),
            ((), "cancelled", "waiting"),
        ],
    )
    def test_a_move_the_flow_forbids_is_409_naming_both_statuses(
        self,
        base_url: str,
        manager: User,
        order: dict[str, Any],
        *,
        path: tuple[str, ...],
        wanted: str,
        current: str,
    ) -> None:
        for status in path:
            assert move(base_url, manager, order["id"], status).status_code == 200

        response = move(base_url, manager, order["id"], wanted)

        assert response.status_code == 409
        assert response.json() == {"message": f"Cannot move an order from {current} to {wanted}."}

    def test_the_owner_cancels_a_waiting_or_preparing_order(
        self, base_url: str, manager: User, customer: User, order: dict[str, Any]
    ) -> None:
        move(base_url, manager, order["id"], "preparation")

        response = requests.post(
            f"{base_url}/orders/{order['id']}/cancel", headers=customer.headers, timeout=30
        )

        assert response.status_code == 200
        assert response.json()["status"] == "cancelled"
        again = requests.post(f"{base_url}/orders/{order['id']}/cancel", headers=customer.headers, timeout=30)
        assert (again.status_code, again.json()) == (
            409,
            {"message": "Cannot move an order from cancelled to cancelled."},
        )
        assert move(base_url, manager, order["id"], "ready").status_code == 409

    def test_a_ready_order_cannot_be_cancelled(
        self, base_url: str, manager: User, customer: User, order: dict[str, Any]
    ) -> None:
        move(base_url, manager, order["id"], "preparation")
        move(base_url, manager, order["id"], "ready")

        response = requests.post(
            f"{base_url}/orders/{order['id']}/cancel", headers=customer.headers, timeout=30
        )

        assert (response.status_code, response.json()) == (
            409,
            {"message": "Cannot move an order from ready to cancelled."},
        )


def test_of_20_concurrent_transitions_on_one_order_only_the_flow_s_sequence_succeeds(
    base_url: str, manager: User, customer: User, order: dict[str, Any]
) -> None:
    # Given 20 requests at once: managers moving the order on (5 each of preparation, ready,
    # delivered), managers moving it back to waiting, and its owner cancelling it.
    wanted = ["preparation", "ready", "delivered"] * 5 + ["waiting"] * 3 + ["cancel"] * 2

    def act(status: str) -> tuple[str, int]:
        if status == "cancel":
            path = f"{base_url}/orders/{order['id']}/cancel"
            response = requests.post(path, headers=customer.headers, timeout=60)
        else:
            response = move(base_url, manager, order["id"], status)
        return status, response.status_code

    with ThreadPoolExecutor(max_workers=len(wanted)) as pool:
        outcomes = list(pool.map(act, wanted))

    # Then every answer is a success or a 409, and the successes, in the order the timeline
    # recorded them, are a walk the flow allows.
    assert {status for _, status in outcomes} <= {200, 409}, outcomes
    events = requests.get(
        f"{base_url}/orders/{order['id']}/events", headers=customer.headers, timeout=30
    ).json()
    walk = [event["status"] for event in events]
    allowed = {
        ("waiting", "preparation"),
        ("preparation", "ready"),
        ("ready", "delivered"),
        ("preparation", "waiting"),
        ("waiting", "cancelled"),
        ("preparation", "cancelled"),
    }
    assert walk[0] == "waiting"
    assert all(step in allowed for step in itertools.pairwise(walk)), walk
    assert sum(1 for _, status in outcomes if status == 200) == len(walk) - 1
    final = requests.get(f"{base_url}/orders/{order['id']}", headers=customer.headers, timeout=30).json()
    assert final["status"] == walk[-1]
