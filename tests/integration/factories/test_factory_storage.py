"""How the local cloud stores a large chart: in chunks of points, no item holding the whole chart."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from infra.dynamodb import local_table_names
from infra.local import resources
from shopfloor.factories.points import POINTS_PER_CHUNK
from tests.integration.cloud import LocalCloud
from tests.integration.factories.test_factories import chart

pytestmark = pytest.mark.integration

DYNAMODB_ITEM_LIMIT = 400 * 1024


def test_a_chart_of_100000_points_is_100_items_each_far_below_dynamodbs_item_limit(
    http: requests.Session, cloud: LocalCloud
) -> None:
    points = 100_000
    created = http.post(f"{cloud.base_url}/v1/factories", json={"chart_data": chart(points)})
    assert created.status_code == 201
    dynamodb = resources.local_client("dynamodb", cloud.dynamodb_url)
    request: dict[str, Any] = {
        "TableName": local_table_names()["factory-points"],
        "KeyConditionExpression": "factory_id = :id",
        "ExpressionAttributeValues": {":id": {"N": str(created.json()["id"])}},
    }
    sizes: list[int] = []
    while True:  # a Query reads at most 1 MB a page
        page = dynamodb.query(**request)
        sizes += [sum(len(value.get("B", b"")) for value in item.values()) for item in page["Items"]]
        if "LastEvaluatedKey" not in page:
            break
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    assert len(sizes) == points // POINTS_PER_CHUNK
    assert max(sizes) == POINTS_PER_CHUNK * 3 * 8  # three series of 64-bit integers
    assert max(sizes) < DYNAMODB_ITEM_LIMIT / 10
