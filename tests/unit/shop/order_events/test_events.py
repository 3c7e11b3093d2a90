"""An order's new image gives the event of its last timeline step, with the detail the bus carries."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from infra.topology import ORDER_EVENT_TYPES, SHOP_EVENTS_SOURCE
from shopfloor.platform.batch import image_values
from shopfloor.shop.order_events.events import SOURCE, DetailType, event_of_image
from tests.helpers.events import stream_event
from tests.unit.shop.claims import CUSTOMER, CUSTOMER_EMAIL
from tests.unit.shop.conftest import order_image
from tests.unit.shop.orders.conftest import LATTE, TEA, VANILLA, Shop, line


def test_the_source_and_detail_types_are_the_ones_the_rule_routes() -> None:
    assert SOURCE == SHOP_EVENTS_SOURCE
    assert tuple(DetailType) == ORDER_EVENT_TYPES


def test_a_placed_order_gives_order_placed_with_its_lines_and_total(shop: Shop) -> None:
    placed = shop.place(lines=[line(LATTE, VANILLA, 2), line(TEA)])

    event = event_of_image(image_values(stream_event([order_image(placed["id"])])["Records"][0]))

    assert event.detail_type is DetailType.ORDER_PLACED
    detail = json.loads(event.detail.model_dump_json())
    assert detail == {
        "order_id": placed["id"],
        "step": 0,
        "customer": CUSTOMER_EMAIL,
        "status": "waiting",
        "previous_status": None,
        "at": placed["created_at"],
        "total": 10.2,
        # The lines as the order was answered when placed: names and prices copied then.
        "lines": placed["lines"],
    }
    assert event.detail.total == Decimal("10.20")


def test_a_move_gives_order_status_changed_from_the_previous_status(shop: Shop) -> None:
    placed = shop.place()
    shop.move(placed["id"], "preparation")
    moved = shop.move(placed["id"], "waiting")

    event = event_of_image(image_values(stream_event([order_image(placed["id"])])["Records"][0]))

    assert event.detail_type is DetailType.ORDER_STATUS_CHANGED
    assert (event.detail.step, event.detail.status, event.detail.previous_status) == (
        2,
        "waiting",
        "preparation",
    )
    assert event.detail.at == moved["updated_at"]


def test_a_cancel_gives_order_cancelled(shop: Shop) -> None:
    placed = shop.place()
    reply = shop.client.post(f"/orders/{placed['id']}/cancel", claims=CUSTOMER)
    assert reply.status == 200

    event = event_of_image(image_values(stream_event([order_image(placed["id"])])["Records"][0]))

    assert event.detail_type is DetailType.ORDER_CANCELLED
    assert (event.detail.status, event.detail.previous_status, event.detail.step) == (
        "cancelled",
        "waiting",
        1,
    )


def test_the_entry_puts_the_detail_on_the_named_bus(shop: Shop) -> None:
    placed = shop.place()
    event = event_of_image(image_values(stream_event([order_image(placed["id"])])["Records"][0]))

    entry = event.entry("the-bus")

    assert entry["EventBusName"] == "the-bus"
    assert (entry["Source"], entry["DetailType"]) == ("shopfloor.shop", "OrderPlaced")
    assert json.loads(entry["Detail"])["order_id"] == placed["id"]


@pytest.mark.parametrize(
    "image",
    [
        {},
        {"id": {"N": "1"}, "customer": {"S": "a@example.com"}},
        {"id": {"N": "1"}, "events": {"L": []}},
        {"id": {"N": "1"}, "events": {"L": [{"M": {"status": {"S": "lost"}, "at": {"S": "x"}}}]}},
    ],
)
def test_an_image_that_is_not_an_order_with_a_timeline_is_refused(image: dict[str, object]) -> None:
    with pytest.raises((ValueError, KeyError)):
        event_of_image(image_values(stream_event([image])["Records"][0]))
