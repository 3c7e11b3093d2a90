"""GET /orders: a customer's own orders, or every order for a manager; newest first, one Query a page."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.helpers.aws_calls import counting_aws_calls
from tests.helpers.handlers import HandlerClient, Reply
from tests.unit.shop.claims import CUSTOMER, MANAGER, OTHER_CUSTOMER
from tests.unit.shop.orders.conftest import Shop

PREFIX = "https://api.example.com"


def ids(reply: Reply) -> list[int]:
    assert reply.status == 200, reply.body
    return [listed["id"] for listed in reply.json()]


def next_path(reply: Reply) -> str | None:
    link = reply.headers.get("Link")
    if link is None:
        return None
    url, rel = link.split(";")
    assert rel.strip() == 'rel="next"'
    return url.strip("<>").removeprefix(PREFIX)


def every_page(orders: HandlerClient, path: str, claims: dict[str, str]) -> list[list[int]]:
    pages = []
    next_page: str | None = path
    while next_page is not None:
        reply = orders.get(next_page, claims=claims)
        pages.append(ids(reply))
        next_page = next_path(reply)
    return pages


def test_a_customer_lists_their_own_orders_newest_first(shop: Shop) -> None:
    first = shop.place()
    shop.place(claims=OTHER_CUSTOMER)
    second = shop.place()

    reply = shop.client.get("/orders", claims=CUSTOMER)

    assert ids(reply) == [second["id"], first["id"]]
    assert reply.json()[0] == second
    assert "Link" not in reply.headers


def test_a_manager_lists_every_order_newest_first(shop: Shop) -> None:
    placed = [shop.place(), shop.place(claims=OTHER_CUSTOMER), shop.place()]

    reply = shop.client.get("/orders", claims=MANAGER)

    assert ids(reply) == [order["id"] for order in reversed(placed)]


def test_a_manager_lists_the_orders_in_one_status(shop: Shop) -> None:
    first, second, third = shop.place(), shop.place(claims=OTHER_CUSTOMER), shop.place()
    shop.move(first["id"], "preparation")
    shop.move(third["id"], "preparation")

    preparing = shop.client.get("/orders?status=preparation", claims=MANAGER)
    waiting = shop.client.get("/orders?status=waiting", claims=MANAGER)

    assert ids(preparing) == [third["id"], first["id"]]
    assert ids(waiting) == [second["id"]]
    assert ids(shop.client.get("/orders?status=delivered", claims=MANAGER)) == []


def test_a_customer_lists_their_own_orders_in_one_status(shop: Shop) -> None:
    mine, theirs, waiting = shop.place(), shop.place(claims=OTHER_CUSTOMER), shop.place()
    shop.move(mine["id"], "preparation")
    shop.move(theirs["id"], "preparation")

    assert ids(shop.client.get("/orders?status=preparation", claims=CUSTOMER)) == [mine["id"]]
    assert ids(shop.client.get("/orders?status=waiting", claims=CUSTOMER)) == [waiting["id"]]


def test_no_orders_is_an_empty_list(orders: HandlerClient) -> None:
    reply = orders.get("/orders", claims=CUSTOMER)

    assert (reply.status, reply.json()) == (200, [])


def test_orders_come_in_pages_linked_to_the_next(shop: Shop) -> None:
    placed = [shop.place()["id"] for _ in range(5)]

    first = shop.client.get("/orders?limit=2", claims=CUSTOMER)

    assert ids(first) == [placed[4], placed[3]]
    link = next_path(first)
    assert link is not None
    assert parse_qs(urlsplit(link).query)["limit"] == ["2"]
    assert every_page(shop.client, "/orders?limit=2", CUSTOMER) == [
        [placed[4], placed[3]],
        [placed[2], placed[1]],
        [placed[0]],
    ]


@pytest.mark.parametrize("claims", [MANAGER, CUSTOMER], ids=["manager", "customer"])
def test_pages_of_one_status_carry_the_filter(shop: Shop, claims: dict[str, str]) -> None:
    placed = [shop.place()["id"] for _ in range(6)]
    preparing = [placed[0], placed[2], placed[3], placed[5]]
    for order_id in preparing:
        shop.move(order_id, "preparation")

    pages = every_page(shop.client, "/orders?status=preparation&limit=2", claims)

    assert [order_id for page in pages for order_id in page] == list(reversed(preparing))
    assert all(len(page) <= 2 for page in pages)


@pytest.mark.parametrize(
    ("claims", "listing"),
    [(MANAGER, "status=waiting&"), (MANAGER, ""), (CUSTOMER, ""), (CUSTOMER, "status=waiting&")],
    ids=["a manager's in one status", "every order", "a customer's", "a customer's in one status"],
)
def test_sort_oldest_lists_oldest_first_page_by_page(
    shop: Shop, claims: dict[str, str], listing: str
) -> None:
    placed = [shop.place()["id"] for _ in range(5)]

    pages = every_page(shop.client, f"/orders?{listing}sort=oldest&limit=2", claims)

    assert pages == [placed[0:2], placed[2:4], placed[4:]]
    first = shop.client.get(f"/orders?{listing}sort=oldest&limit=2", claims=claims)
    link = next_path(first)
    assert link is not None
    assert parse_qs(urlsplit(link).query)["sort"] == ["oldest"]


def test_each_page_is_one_query(shop: Shop) -> None:
    for _ in range(3):
        shop.place()
    shop.move(shop.place()["id"], "preparation")

    for claims, path in [
        (CUSTOMER, "/orders?limit=2"),
        (CUSTOMER, "/orders?limit=1&status=waiting"),
        (MANAGER, "/orders?limit=2"),
        (MANAGER, "/orders?limit=2&status=waiting"),
        (MANAGER, "/orders?limit=2&status=waiting&sort=oldest"),
    ]:
        next_page: str | None = path
        while next_page is not None:
            with counting_aws_calls() as calls:
                reply = shop.client.get(next_page, claims=claims)
            assert dict(calls) == {"dynamodb.Query": 1}, (path, dict(calls))
            next_page = next_path(reply)


@pytest.mark.parametrize("cursor", ["not-a-cursor", "eyJpZCI6MX0", "%00"])
def test_an_invalid_cursor_is_400(orders: HandlerClient, cursor: str) -> None:
    reply = orders.get(f"/orders?cursor={cursor}", claims=CUSTOMER)

    assert reply.status == 400
    assert reply.json() == {"message": "Invalid cursor."}


@pytest.mark.parametrize(
    ("given_by", "used_by", "used_on"),
    [
        (OTHER_CUSTOMER, CUSTOMER, "/orders?limit=1"),  # another customer's orders
        (MANAGER, CUSTOMER, "/orders?limit=1"),  # every order
        (MANAGER, MANAGER, "/orders?limit=1&status=waiting"),  # another listing
    ],
    ids=["another customer's", "a manager's", "another listing's"],
)
def test_a_cursor_of_another_listing_is_400(
    shop: Shop, given_by: dict[str, str], used_by: dict[str, str], used_on: str
) -> None:
    for _ in range(2):
        shop.place(claims=OTHER_CUSTOMER)
    link = next_path(shop.client.get("/orders?limit=1", claims=given_by))
    assert link is not None
    cursor = parse_qs(urlsplit(link).query)["cursor"][0]

    reply = shop.client.get(f"{used_on}&cursor={cursor}", claims=used_by)

    assert reply.status == 400
    assert reply.json() == {"message": "Invalid cursor."}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("limit=two", "limit"),
        ("status=lost", "status"),
        ("sort=random", "sort"),
    ],
)
def test_invalid_parameters_are_422(orders: HandlerClient, query: str, field: str) -> None:
    reply = orders.get(f"/orders?{query}", claims=MANAGER)

    assert reply.status == 422
    messages: list[Any] = reply.json()["message"]
    assert any(message.startswith(f"{field}: ") for message in messages), messages


def test_an_anonymous_caller_cannot_list_orders(orders: HandlerClient) -> None:
    reply = orders.get("/orders")

    assert (reply.status, reply.json()) == (401, {"message": "Unauthorized."})
