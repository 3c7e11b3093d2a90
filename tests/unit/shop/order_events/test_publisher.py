"""order-events puts one event per order change on the bus, ten per PutEvents, and retries what fails."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from shopfloor.platform.batch import StreamBatchFailedError
from shopfloor.shop.order_events.publisher import OrderEventPublisher
from tests.helpers.aws_calls import counting_aws_calls
from tests.helpers.events import stream_event
from tests.helpers.handlers import load_handler
from tests.helpers.lambda_context import FakeLambdaContext
from tests.unit.conftest import EVENT_BUS
from tests.unit.shop.conftest import order_image
from tests.unit.shop.orders.conftest import Shop

Delivered = Callable[[], list[dict[str, Any]]]


def changes(shop: Shop, orders: int) -> tuple[list[dict[str, Any]], list[str]]:
    """Orders placed, each also moved to preparation: their images after each step, in order."""
    images, names = [], []
    for _ in range(orders):
        placed = shop.place()
        images.append(order_image(placed["id"]))
        names.append("INSERT")
        shop.move(placed["id"], "preparation")
        images.append(order_image(placed["id"]))
        names.append("MODIFY")
    return images, names


def test_each_change_is_one_event_on_the_bus_in_order(shop: Shop, bus: Delivered) -> None:
    images, names = changes(shop, 2)
    handler = load_handler("order_events")

    result = handler.lambda_handler(
        stream_event(images, table="orders", event_names=names), FakeLambdaContext()
    )

    assert result == {"batchItemFailures": []}
    events = bus()
    assert [(e["source"], e["detail-type"], e["detail"]["step"]) for e in events] == [
        ("shopfloor.shop", "OrderPlaced", 0),
        ("shopfloor.shop", "OrderStatusChanged", 1),
    ] * 2
    assert [e["detail"]["order_id"] for e in events] == [int(image["id"]["N"]) for image in images]
    assert events[1]["detail"]["previous_status"] == "waiting"


def test_a_batch_of_25_changes_takes_three_put_events_calls(shop: Shop, bus: Delivered) -> None:
    images = [order_image(shop.place()["id"]) for _ in range(25)]
    handler = load_handler("order_events")

    with counting_aws_calls() as calls:
        result = handler.lambda_handler(stream_event(images, table="orders"), FakeLambdaContext())

    assert result == {"batchItemFailures": []}
    assert calls == {"events.PutEvents": 3}
    assert len(bus()) == 25


class FlakyEvents:
    """PutEvents that reports the entries of `fail` (order ids) as failed, `times` times each."""

    def __init__(self, fail: set[int], times: int) -> None:
        self.fail = fail
        self.left = dict.fromkeys(fail, times)
        self.calls: list[list[int]] = []
        self.put: list[int] = []

    def put_events(self, Entries: list[dict[str, str]]) -> dict[str, Any]:  # noqa: N803  (boto3's name)
        import json

        ids = [json.loads(entry["Detail"])["order_id"] for entry in Entries]
        self.calls.append(ids)
        results = []
        for order_id in ids:
            if self.left.get(order_id, 0) > 0:
                self.left[order_id] -= 1
                results.append({"ErrorCode": "InternalFailure", "ErrorMessage": "try again"})
            else:
                self.put.append(order_id)
                results.append({"EventId": f"event-{order_id}"})
        return {"FailedEntryCount": sum("ErrorCode" in r for r in results), "Entries": results}


def test_entries_reported_failed_are_put_again(shop: Shop) -> None:
    images = [order_image(shop.place()["id"]) for _ in range(3)]
    ids = [int(image["id"]["N"]) for image in images]
    events = FlakyEvents(fail={ids[1]}, times=2)
    publisher = OrderEventPublisher(events, EVENT_BUS, attempts=3, sleep=lambda _: None)

    result = publisher.handle(stream_event(images, table="orders"))

    assert result == {"batchItemFailures": []}
    assert events.calls == [ids, [ids[1]], [ids[1]]]
    assert sorted(events.put) == sorted(ids)


def test_an_entry_still_failing_fails_its_record_and_every_later_one(shop: Shop) -> None:
    images = [order_image(shop.place()["id"]) for _ in range(14)]
    ids = [int(image["id"]["N"]) for image in images]
    events = FlakyEvents(fail={ids[3]}, times=99)
    publisher = OrderEventPublisher(events, EVENT_BUS, attempts=3, sleep=lambda _: None)
    batch = stream_event(images, table="orders")

    result = publisher.handle(batch)

    sequences = [record["dynamodb"]["SequenceNumber"] for record in batch["Records"]]
    assert result == {"batchItemFailures": [{"itemIdentifier": s} for s in sequences[3:]]}
    # The second chunk of ten is never tried: Lambda retries from the failed record.
    assert events.calls == [ids[:10], [ids[3]], [ids[3]]]


def test_a_batch_of_which_nothing_is_put_fails_the_invocation(shop: Shop) -> None:
    images = [order_image(shop.place()["id"]) for _ in range(2)]
    events = FlakyEvents(fail={int(image["id"]["N"]) for image in images}, times=99)
    publisher = OrderEventPublisher(events, EVENT_BUS, attempts=2, sleep=lambda _: None)

    with pytest.raises(StreamBatchFailedError):
        publisher.handle(stream_event(images, table="orders"))


def test_a_bus_that_does_not_exist_fails_the_invocation_so_that_lambda_bisects(shop: Shop) -> None:
    images = [order_image(shop.place()["id"])]
    handler = load_handler("order_events")  # no bus fixture: the bus does not exist in moto

    with pytest.raises(StreamBatchFailedError):
        handler.lambda_handler(stream_event(images, table="orders"), FakeLambdaContext())


def test_a_record_that_is_not_an_order_fails_alone(shop: Shop, bus: Delivered) -> None:
    good = order_image(shop.place()["id"])
    batch = stream_event([good, {"id": {"N": "99"}}], table="orders")

    result = load_handler("order_events").lambda_handler(batch, FakeLambdaContext())

    assert result == {
        "batchItemFailures": [{"itemIdentifier": batch["Records"][1]["dynamodb"]["SequenceNumber"]}]
    }
    assert [event["detail"]["order_id"] for event in bus()] == [int(good["id"]["N"])]
