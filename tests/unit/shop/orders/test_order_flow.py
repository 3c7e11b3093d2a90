"""Reading one order, moving it through the status flow, cancelling it, and its timeline."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers.aws_calls import counting_aws_calls
from tests.helpers.handlers import HandlerClient
from tests.unit.shop.claims import CUSTOMER, MANAGER, OTHER_CUSTOMER
from tests.unit.shop.orders.conftest import Shop

# How to bring a new (waiting) order into each status.
ROUTE_TO = {
    "waiting": [],
    "preparation": ["preparation"],
    "ready": ["preparation", "ready"],
    "delivered": ["preparation", "ready", "delivered"],
}


def order_in(shop: Shop, status: str, claims: dict[str, str] = CUSTOMER) -> dict[str, Any]:
    placed = shop.place(claims=claims)
    if status == "cancelled":
        assert shop.client.post(f"/orders/{placed['id']}/cancel", claims=claims).status == 200
        return placed
    for step in ROUTE_TO[status]:
        shop.move(placed["id"], step)
    return placed


def status_of(orders: HandlerClient, order_id: int) -> str:
    return str(orders.get(f"/orders/{order_id}", claims=MANAGER).json()["status"])


def events_of(orders: HandlerClient, order_id: int) -> list[dict[str, str]]:
    reply = orders.get(f"/orders/{order_id}/events", claims=MANAGER)
    assert reply.status == 200, reply.body
    return list(reply.json())


# --- reading one order ---------------------------------------------------------------------------


@pytest.mark.parametrize("claims", [CUSTOMER, MANAGER], ids=["its customer", "a manager"])
def test_an_order_is_read_by_its_customer_and_by_managers(shop: Shop, claims: dict[str, str]) -> None:
    placed = shop.place()

    reply = shop.client.get(f"/orders/{placed['id']}", claims=claims)

    assert (reply.status, reply.json()) == (200, placed)


@pytest.mark.parametrize("path", ["/orders/{id}", "/orders/{id}/events"])
def test_another_customers_order_is_not_found(shop: Shop, path: str) -> None:
    placed = shop.place()

    reply = shop.client.get(path.format(id=placed["id"]), claims=OTHER_CUSTOMER)

    assert (reply.status, reply.json()) == (404, {"message": "Not found."})


@pytest.mark.parametrize("path", ["/orders/{id}", "/orders/{id}/events"])
@pytest.mark.parametrize("order_id", ["999", "0", "abc", "-1"])
def test_an_unknown_order_is_not_found(orders: HandlerClient, path: str, order_id: str) -> None:
    reply = orders.get(path.format(id=order_id), claims=MANAGER)

    assert (reply.status, reply.json()) == (404, {"message": "Not found."})


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/orders/1"),
        ("GET", "/orders/1/events"),
        ("PATCH", "/orders/1/status"),
        ("POST", "/orders/1/cancel"),
    ],
)
def test_an_anonymous_caller_is_401(orders: HandlerClient, method: str, path: str) -> None:
    body = {"status": "preparation"} if method == "PATCH" else None

    reply = orders.request(method, path, body=body)

    assert (reply.status, reply.json()) == (401, {"message": "Unauthorized."})


# --- a manager moves an order --------------------------------------------------------------------


def test_a_manager_moves_an_order_through_the_flow(shop: Shop) -> None:
    placed = shop.place()
    order_id = placed["id"]

    walked = [shop.move(order_id, status) for status in ("preparation", "waiting", "preparation", "ready")]
    delivered = shop.client.patch(f"/orders/{order_id}/status", body={"status": "delivered"}, claims=MANAGER)

    assert [moved["status"] for moved in walked] == ["preparation", "waiting", "preparation", "ready"]
    assert delivered.status == 200
    assert delivered.json() == {
        **placed,
        "status": "delivered",
        "updated_at": "2026-11-22T10:00:05Z",
    }
    assert shop.client.get(f"/orders/{order_id}", claims=CUSTOMER).json() == delivered.json()


FORBIDDEN = {
    "waiting": ["waiting", "ready", "delivered", "cancelled"],
    "preparation": ["preparation", "delivered", "cancelled"],
    "ready": ["waiting", "preparation", "ready", "cancelled"],
    "delivered": ["waiting", "preparation", "ready", "delivered", "cancelled"],
    "cancelled": ["waiting", "preparation", "ready", "delivered", "cancelled"],
}


@pytest.mark.parametrize("current", sorted(FORBIDDEN))
def test_every_move_the_flow_forbids_is_409_and_changes_nothing(shop: Shop, current: str) -> None:
    placed = order_in(shop, current)
    before = shop.client.get(f"/orders/{placed['id']}", claims=MANAGER).json()
    timeline = events_of(shop.client, placed["id"])

    replies = {
        wanted: shop.client.patch(f"/orders/{placed['id']}/status", body={"status": wanted}, claims=MANAGER)
        for wanted in FORBIDDEN[current]
    }

    assert {wanted: (reply.status, reply.json()) for wanted, reply in replies.items()} == {
        wanted: (409, {"message": f"Cannot move an order from {current} to {wanted}."})
        for wanted in FORBIDDEN[current]
    }
    assert shop.client.get(f"/orders/{placed['id']}", claims=MANAGER).json() == before
    assert events_of(shop.client, placed["id"]) == timeline


def test_of_two_managers_making_the_same_move_the_second_is_409(shop: Shop) -> None:
    placed = shop.place()
    shop.move(placed["id"], "preparation")

    late = shop.client.patch(f"/orders/{placed['id']}/status", body={"status": "preparation"}, claims=MANAGER)

    assert late.status == 409
    assert late.json() == {"message": "Cannot move an order from preparation to preparation."}


def test_a_customer_cannot_move_an_order(shop: Shop) -> None:
    placed = shop.place()

    reply = shop.client.patch(
        f"/orders/{placed['id']}/status", body={"status": "preparation"}, claims=CUSTOMER
    )

    assert (reply.status, reply.json()) == (403, {"message": "Only managers may do this."})
    assert status_of(shop.client, placed["id"]) == "waiting"


@pytest.mark.parametrize("wanted", ["preparation", "cancelled"])
def test_moving_an_unknown_order_is_404(orders: HandlerClient, wanted: str) -> None:
    reply = orders.patch("/orders/999/status", body={"status": wanted}, claims=MANAGER)

    assert (reply.status, reply.json()) == (404, {"message": "Not found."})


@pytest.mark.parametrize("body", [{"status": "lost"}, {"status": None}, {"state": "ready"}])
def test_an_invalid_status_is_422(shop: Shop, body: dict[str, Any]) -> None:
    placed = shop.place()

    reply = shop.client.patch(f"/orders/{placed['id']}/status", body=body, claims=MANAGER)

    assert reply.status == 422
    assert reply.json()["message"][0].startswith("status: ")


def test_a_move_is_one_conditional_write(shop: Shop) -> None:
    placed = shop.place()
    path = f"/orders/{placed['id']}/status"

    with counting_aws_calls() as moved:
        assert shop.client.patch(path, body={"status": "preparation"}, claims=MANAGER).status == 200
    with counting_aws_calls() as refused:
        assert shop.client.patch(path, body={"status": "delivered"}, claims=MANAGER).status == 409
    with counting_aws_calls() as missing:
        assert shop.client.patch("/orders/999/status", body={"status": "ready"}, claims=MANAGER).status == 404

    assert dict(moved) == dict(refused) == dict(missing) == {"dynamodb.UpdateItem": 1}


# --- the customer cancels ------------------------------------------------------------------------


@pytest.mark.parametrize("current", ["waiting", "preparation"])
def test_a_customer_cancels_their_order_while_waiting_or_in_preparation(shop: Shop, current: str) -> None:
    placed = order_in(shop, current)

    reply = shop.client.post(f"/orders/{placed['id']}/cancel", claims=CUSTOMER)

    assert reply.status == 200
    assert reply.json()["status"] == "cancelled"
    assert reply.json()["lines"] == placed["lines"]
    assert status_of(shop.client, placed["id"]) == "cancelled"


@pytest.mark.parametrize("current", ["ready", "delivered", "cancelled"])
def test_an_order_ready_or_later_cannot_be_cancelled(shop: Shop, current: str) -> None:
    placed = order_in(shop, current)

    reply = shop.client.post(f"/orders/{placed['id']}/cancel", claims=CUSTOMER)

    assert reply.status == 409
    assert reply.json() == {"message": f"Cannot move an order from {current} to cancelled."}
    assert status_of(shop.client, placed["id"]) == current


@pytest.mark.parametrize("current", ["waiting", "ready"])
def test_another_customers_order_cannot_be_cancelled_and_is_not_found(shop: Shop, current: str) -> None:
    placed = order_in(shop, current)

    reply = shop.client.post(f"/orders/{placed['id']}/cancel", claims=OTHER_CUSTOMER)

    assert (reply.status, reply.json()) == (404, {"message": "Not found."})
    assert status_of(shop.client, placed["id"]) == current


def test_a_manager_cannot_cancel_an_order(shop: Shop) -> None:
    placed = shop.place()

    reply = shop.client.post(f"/orders/{placed['id']}/cancel", claims=MANAGER)

    assert (reply.status, reply.json()) == (403, {"message": "Only customers may do this."})
    assert status_of(shop.client, placed["id"]) == "waiting"


def test_cancelling_an_unknown_order_is_404(orders: HandlerClient) -> None:
    reply = orders.post("/orders/999/cancel", claims=CUSTOMER)

    assert (reply.status, reply.json()) == (404, {"message": "Not found."})


def test_a_cancel_is_one_conditional_write(shop: Shop) -> None:
    placed = shop.place()
    path = f"/orders/{placed['id']}/cancel"

    with counting_aws_calls() as cancelled:
        assert shop.client.post(path, claims=CUSTOMER).status == 200
    with counting_aws_calls() as refused:
        assert shop.client.post(path, claims=CUSTOMER).status == 409
    with counting_aws_calls() as not_theirs:
        assert shop.client.post(path, claims=OTHER_CUSTOMER).status == 404

    assert dict(cancelled) == dict(refused) == dict(not_theirs) == {"dynamodb.UpdateItem": 1}


# --- the timeline --------------------------------------------------------------------------------


def test_the_timeline_lists_each_move_oldest_first_and_who_made_it(shop: Shop) -> None:
    placed = shop.place()
    order_id = placed["id"]
    shop.move(order_id, "preparation")
    shop.move(order_id, "waiting")
    shop.move(order_id, "preparation")
    assert shop.client.post(f"/orders/{order_id}/cancel", claims=CUSTOMER).status == 200

    reply = shop.client.get(f"/orders/{order_id}/events", claims=CUSTOMER)

    assert reply.status == 200
    assert reply.json() == [
        {"status": "waiting", "at": "2026-11-22T10:00:00Z", "by": "customer"},
        {"status": "preparation", "at": "2026-11-22T10:00:01Z", "by": "manager"},
        {"status": "waiting", "at": "2026-11-22T10:00:02Z", "by": "manager"},
        {"status": "preparation", "at": "2026-11-22T10:00:03Z", "by": "manager"},
        {"status": "cancelled", "at": "2026-11-22T10:00:04Z", "by": "customer"},
    ]
    assert events_of(shop.client, order_id) == reply.json()


def test_a_new_order_has_one_event_its_placing(shop: Shop) -> None:
    placed = shop.place()

    assert events_of(shop.client, placed["id"]) == [
        {"status": "waiting", "at": placed["created_at"], "by": "customer"}
    ]


def test_an_order_reached_in_sequence_never_skips_the_flow(shop: Shop) -> None:
    placed = shop.place()
    order_id = placed["id"]
    attempts = ["ready", "preparation", "delivered", "preparation", "ready", "waiting", "delivered", "ready"]

    answered = [
        shop.client.patch(f"/orders/{order_id}/status", body={"status": wanted}, claims=MANAGER).status
        for wanted in attempts
    ]

    assert answered == [409, 200, 409, 409, 200, 409, 200, 409]
    assert [event["status"] for event in events_of(shop.client, order_id)] == [
        "waiting",
        "preparation",
        "ready",
        "delivered",
    ]


@pytest.mark.parametrize(
    ("method", "path", "resource", "claims", "message"),
    [
        ("POST", "/orders", "/orders", MANAGER, "Only customers may do this."),
        ("POST", "/orders/1/cancel", "/orders/{id}/cancel", MANAGER, "Only customers may do this."),
        ("PATCH", "/orders/1/status", "/orders/{id}/status", CUSTOMER, "Only managers may do this."),
    ],
)
def test_a_role_the_route_refuses_hears_403_before_the_body_is_read(
    orders: HandlerClient, *, method: str, path: str, resource: str, claims: dict[str, str], message: str
) -> None:
    reply = orders.request(method, path, raw_body="{not json", resource=resource, claims=claims)

    assert (reply.status, reply.json()) == (403, {"message": message})
