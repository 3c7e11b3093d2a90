"""A data folder from before an index was declared, on the real engine (DynamoDB Local): the local
cloud's start adds the index and lists the items written before (tests/unit/local/test_indexes.py
checks the same against moto, and each step's corner cases)."""

from __future__ import annotations

import pytest

from infra.dynamodb import create_table_request, local_table_names
from infra.local import resources
from infra.local.dynamodb_local import add_declared_indexes
from infra.topology import TABLES
from tests.integration.cloud import LocalCloud

pytestmark = pytest.mark.integration


def test_an_index_added_to_a_kept_table_lists_the_factories_written_before(cloud: LocalCloud) -> None:
    dynamodb = resources.local_client("dynamodb", cloud.dynamodb_url)
    names = local_table_names("kept")
    factories = names["factories"]
    # Every other table as today: only factories is as it was before the index.
    for table_name, physical in names.items():
        request = create_table_request(next(t for t in TABLES if t.name == table_name), physical)
        if table_name == "factories":
            request.pop("GlobalSecondaryIndexes")
            request["AttributeDefinitions"] = [{"AttributeName": "id", "AttributeType": "N"}]
        dynamodb.create_table(**request)
    for factory_id in (9, 2, 5):
        item = {
            "id": {"N": str(factory_id)},
            "points": {"N": "1"},
            "first_time": {"N": "0"},
            "last_time": {"N": "0"},
        }
        dynamodb.put_item(TableName=factories, Item=item)

    assert add_declared_indexes(dynamodb, names) == ["factories.by-id"]

    listed = dynamodb.query(
        TableName=factories,
        IndexName="by-id",
        KeyConditionExpression="listing = :listing",
        ExpressionAttributeValues={":listing": {"S": "factories"}},
    )["Items"]
    assert [int(item["id"]["N"]) for item in listed] == [2, 5, 9]
    assert add_declared_indexes(dynamodb, names) == []
