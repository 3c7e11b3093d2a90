"""What the shop's event tests share: the bus in moto, and an order's image as its stream carries it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from infra.topology import SHOPFLOOR_BUS
from tests.unit.conftest import EVENT_BUS, TABLE_NAMES, fixture_client

RULE = SHOPFLOOR_BUS.rules[0]


@pytest.fixture
def bus() -> Callable[[], list[dict[str, Any]]]:
    """The bus in moto with the topology's rule to a queue; a function that drains the queue: the
    events the rule delivered, in order."""
    events, sqs = fixture_client("events"), fixture_client("sqs")
    events.create_event_bus(Name=EVENT_BUS)
    queue_url = sqs.create_queue(QueueName="unit-order-emails")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(
        Name="unit-order-emails", EventBusName=EVENT_BUS, EventPattern=json.dumps(RULE.event_pattern)
    )
    events.put_targets(
        Rule="unit-order-emails", EventBusName=EVENT_BUS, Targets=[{"Id": "queue", "Arn": arn}]
    )

    def delivered() -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        while True:
            messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
            if not messages:
                return found
            for message in messages:
                found.append(json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])

    return delivered


def order_image(order_id: int) -> dict[str, Any]:
    """The order's item as the table's stream carries it (typed JSON)."""
    item: dict[str, Any] = fixture_client("dynamodb").get_item(
        TableName=TABLE_NAMES["orders"], Key={"id": {"N": str(order_id)}}
    )["Item"]
    return item
