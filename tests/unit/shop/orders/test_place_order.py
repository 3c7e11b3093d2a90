"""POST /orders through the real handler, on moto's DynamoDB: pricing, refusals, idempotency."""

from __future__ import annotations

from typing import Any

import pytest

from shopfloor.shop.menu.schemas import MenuView
from tests.helpers.aws_calls import counting_aws_calls
from tests.helpers.handlers import HandlerClient
from tests.unit.shop.claims import CUSTOMER, MANAGER, OTHER_CUSTOMER
from tests.unit.shop.orders.conftest import (
    CAPPUCCINO,
    DELETED_PRODUCT,
    HAZELNUT,
    LATTE,
    MENU,
    PUMPKIN_SPICE,
    SMALL,
    TEA,
    VANILLA,
    Shop,
    line,
    order,
    put_menu,
)

KEY = {"Idempotency-Key": "order-2026-11-22-0001"}


def place(orders: HandlerClient, body: dict[str, Any], **kwargs: Any) -> Any:
    return orders.post("/orders", body=body, claims=kwargs.pop("claims", CUSTOMER), **kwargs)


def listed(orders: HandlerClient, claims: dict[str, str] = CUSTOMER) -> list[dict[str, Any]]:
    reply = orders.get("/orders", claims=claims)
    assert reply.status == 200, reply.body
    return list(reply.json())


def test_an_order_is_placed_waiting_with_its_lines_named_and_priced(orders: HandlerClient) -> None:
    body = order(
        location="in_house",
        lines=[line(LATTE, VANILLA, 2), line(TEA), line(CAPPUCCINO, SMALL, 3)],
    )

    reply = place(orders, body)

    assert reply.status == 201
    placed = reply.json()
    assert placed == {
        "id": placed["id"],
        "status": "waiting",
        "location": "in_house",
        "customer": "customer@example.com",
        "lines": [
            {
                "product_id": LATTE,
                "variation_id": VANILLA,
                "name": "Latte (Vanilla)",
                "unit_price": 4.05,
                "quantity": 2,
                "line_total": 8.1,
            },
            {
                "product_id": TEA,
                "variation_id": None,
                "name": "Tea",
                "unit_price": 2.1,
                "quantity": 1,
                "line_total": 2.1,
            },
            {
                "product_id": CAPPUCCINO,
                "variation_id": SMALL,
                "name": "Cappuccino (Small)",
                "unit_price": 3.2,
                "quantity": 3,
                "line_total": 9.6,
            },
        ],
        "total": 19.8,
        "created_at": "2026-11-22T10:00:00Z",
        "updated_at": "2026-11-22T10:00:00Z",
    }
    assert placed["id"] > 0
    assert reply.headers["Location"] == f"https://api.example.com/orders/{placed['id']}"
    assert "Idempotent-Replayed" not in reply.headers


def test_a_placed_order_reads_back_as_placed(orders: HandlerClient) -> None:
    placed = place(orders, order()).json()

    assert orders.get(f"/orders/{placed['id']}", claims=CUSTOMER).json() == placed


def test_money_is_exact(orders: HandlerClient) -> None:
    twenty_lattes = [line(LATTE, VANILLA, 20)] * 20  # 400 at 4.05: 1619.9999999999995 in floats

    placed = place(orders, order(lines=twenty_lattes)).json()

    assert placed["total"] == 1620
    assert '"total":1620.0,' in orders.get(f"/orders/{placed['id']}", claims=CUSTOMER).body


def test_an_order_keeps_the_prices_it_was_placed_at(orders: HandlerClient) -> None:
    placed = place(orders, order(lines=[line(TEA, quantity=2)])).json()
    dearer_tea = MENU.model_copy(
        update={
            "products": tuple(p.model_copy(update={"price": 9}) if p.id == TEA else p for p in MENU.products)
        }
    )
    put_menu(dearer_tea)

    again = orders.get(f"/orders/{placed['id']}", claims=CUSTOMER).json()

    assert (again["lines"][0]["unit_price"], again["total"]) == (2.1, 4.2)
    assert place(orders, order(lines=[line(TEA, quantity=2)])).json()["total"] == 18


@pytest.mark.parametrize(
    ("lines", "messages"),
    [
        ([line(99)], ["lines.0.product_id: no such product on the menu"]),
        (
            [line(LATTE, VANILLA), line(DELETED_PRODUCT)],
            ["lines.1.product_id: no such product on the menu"],
        ),
        ([line(LATTE, 99)], ["lines.0.variation_id: no such variation of Latte on the menu"]),
        ([line(LATTE, SMALL)], ["lines.0.variation_id: no such variation of Latte on the menu"]),
        ([line(LATTE)], ["lines.0.variation_id: required: Latte is ordered with one of its variations"]),
        ([line(TEA, VANILLA)], ["lines.0.variation_id: Tea has no variations"]),
        (
            [line(TEA), line(TEA, VANILLA), line(LATTE, VANILLA), line(99, VANILLA)],
            [
                "lines.1.variation_id: Tea has no variations",
                "lines.3.product_id: no such product on the menu",
            ],
        ),
    ],
    ids=[
        "unknown product",
        "deleted product",
        "unknown variation",
        "variation of another product",
        "product with variations without one",
        "variation for a product without any",
        "every refused line",
    ],
)
def test_lines_the_menu_cannot_serve_are_422_naming_each(
    orders: HandlerClient, lines: list[dict[str, Any]], messages: list[str]
) -> None:
    reply = place(orders, order(lines=lines))

    assert reply.status == 422
    assert reply.json() == {"message": messages}
    assert listed(orders) == []


def test_a_deleted_variation_cannot_be_ordered(orders: HandlerClient) -> None:
    latte = MENU.product(LATTE)
    assert latte is not None
    without_hazelnut = latte.model_copy(
        update={"variations": [v for v in latte.variations if v.id != HAZELNUT]}
    )
    put_menu(MenuView(products=tuple(without_hazelnut if p.id == LATTE else p for p in MENU.products)))

    reply = place(orders, order(lines=[line(LATTE, PUMPKIN_SPICE), line(LATTE, HAZELNUT)]))

    assert reply.status == 422
    assert reply.json() == {"message": ["lines.1.variation_id: no such variation of Latte on the menu"]}


def test_nothing_can_be_ordered_from_an_empty_menu(orders: HandlerClient) -> None:
    put_menu(MenuView())

    reply = place(orders, order(lines=[line(TEA)]))

    assert reply.json() == {"message": ["lines.0.product_id: no such product on the menu"]}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"location": "delivery"}, "location"),
        ({"location": None}, "location"),
        ({"lines": []}, "lines"),
        ({"lines": [line(TEA)] * 21}, "lines"),
        ({"lines": [line(TEA, quantity=0)]}, "lines.0.quantity"),
        ({"lines": [line(TEA, quantity=21)]}, "lines.0.quantity"),
        ({"lines": [{"product_id": TEA, "quantity": "2"}]}, "lines.0.quantity"),
        ({"lines": [line(TEA), {"variation_id": None, "quantity": 1}]}, "lines.1.product_id"),
        ({"lines": [{"product_id": TEA, "quantity": 1.5}]}, "lines.0.quantity"),
        ({"lines": [{"product_id": True, "quantity": 1}]}, "lines.0.product_id"),
        ({"lines": [line(TEA, 0)]}, "lines.0.variation_id"),
    ],
)
def test_invalid_fields_are_422_naming_the_field(
    orders: HandlerClient, changes: dict[str, Any], field: str
) -> None:
    reply = place(orders, order(**changes))

    assert reply.status == 422
    messages = reply.json()["message"]
    assert any(message.startswith(f"{field}: ") for message in messages), messages


def test_a_line_without_a_variation_id_is_a_product_without_variations(orders: HandlerClient) -> None:
    reply = place(orders, order(lines=[{"product_id": TEA, "quantity": 1}]))

    assert reply.status == 201
    assert reply.json()["lines"][0]["variation_id"] is None


def test_an_order_without_a_body_is_400(orders: HandlerClient) -> None:
    reply = orders.post("/orders", claims=CUSTOMER)

    assert reply.status == 400
    assert reply.json() == {"message": "No input data provided"}


def test_a_manager_cannot_place_an_order(orders: HandlerClient) -> None:
    reply = place(orders, order(), claims=MANAGER)

    assert reply.status == 403
    assert reply.json() == {"message": "Only customers may do this."}
    assert listed(orders, MANAGER) == []


def test_an_anonymous_caller_cannot_place_an_order(orders: HandlerClient) -> None:
    reply = orders.post("/orders", body=order())

    assert reply.status == 401
    assert reply.json() == {"message": "Unauthorized."}


def test_a_repeat_with_the_same_key_answers_the_first_order(orders: HandlerClient) -> None:
    first = place(orders, order(), headers=KEY)

    again = place(orders, order(), headers=KEY)

    assert (first.status, again.status) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert [placed["id"] for placed in listed(orders)] == [first.json()["id"]]


def test_a_repeat_answers_the_first_order_after_its_product_left_the_menu(orders: HandlerClient) -> None:
    first = place(orders, order(lines=[line(TEA)]), headers=KEY)
    put_menu(MenuView(products=tuple(p for p in MENU.products if p.id != TEA)))

    again = place(orders, order(lines=[line(TEA)]), headers=KEY)

    assert again.status == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"


def test_the_same_key_with_another_order_is_422(orders: HandlerClient) -> None:
    place(orders, order(), headers=KEY)

    reply = place(orders, order(location="in_house"), headers=KEY)

    assert reply.status == 422
    assert reply.json() == {"message": ["Idempotency-Key: already used for a different request"]}
    assert len(listed(orders)) == 1


def test_keys_belong_to_one_customer(orders: HandlerClient) -> None:
    mine = place(orders, order(), headers=KEY)

    theirs = place(orders, order(), headers=KEY, claims=OTHER_CUSTOMER)

    assert theirs.status == 201
    assert "Idempotent-Replayed" not in theirs.headers
    assert theirs.json()["id"] != mine.json()["id"]
    assert theirs.json()["customer"] == "other@example.com"


def test_a_malformed_key_is_422(orders: HandlerClient) -> None:
    reply = place(orders, order(), headers={"Idempotency-Key": "k" * 256})

    assert reply.status == 422
    assert reply.json()["message"][0].startswith("Idempotency-Key: ")


@pytest.mark.parametrize("headers", [{}, KEY], ids=["without a key", "with a key"])
def test_placing_an_order_reads_the_menu_once_and_writes_one_transaction(
    shop: Shop, headers: dict[str, str]
) -> None:
    shop.place()  # the container's first order reserves a block of ids

    with counting_aws_calls() as calls:
        reply = place(shop.client, order(lines=[line(LATTE, VANILLA), line(TEA)]), headers=headers)

    assert reply.status == 201
    assert dict(calls) == {"dynamodb.GetItem": 1, "dynamodb.TransactWriteItems": 1}


def test_a_replay_costs_the_same_two_calls(shop: Shop) -> None:
    place(shop.client, order(), headers=KEY)

    with counting_aws_calls() as calls:
        reply = place(shop.client, order(), headers=KEY)

    assert reply.headers["Idempotent-Replayed"] == "true"
    assert dict(calls) == {"dynamodb.GetItem": 1, "dynamodb.TransactWriteItems": 1}
