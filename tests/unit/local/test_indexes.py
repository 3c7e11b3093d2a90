"""A data folder from before the topology declared an index: the local cloud adds it at start, and an
index of every item gets its partition value on the items written before (infra/backfill.py, which
also runs by hand against a deployed stack)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from infra import backfill
from infra.dynamodb import create_table_request, local_table_names
from infra.local.dynamodb_local import add_declared_indexes
from infra.topology import FACTORIES, FACTORIES_BY_ID, TABLES


def factory_item(factory_id: int) -> dict[str, Any]:
    return {
        "id": {"N": str(factory_id)},
        "points": {"N": "3"},
        "first_time": {"N": "100"},
        "last_time": {"N": "220"},
    }


def listed(dynamodb: Any, table_name: str) -> list[int]:
    found = dynamodb.query(
        TableName=table_name,
        IndexName=FACTORIES_BY_ID.name,
        KeyConditionExpression="listing = :listing",
        ExpressionAttributeValues={":listing": {"S": FACTORIES_BY_ID.every_item}},
    )
    return [int(item["id"]["N"]) for item in found["Items"]]


@pytest.fixture
def older_tables() -> tuple[Any, dict[str, str]]:
    """Every table as made before any index was declared, three factories in one of them."""
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    names = local_table_names("older")
    for table in TABLES:
        request = create_table_request(table, names[table.name])
        request.pop("GlobalSecondaryIndexes", None)
        keys = {key["AttributeName"] for key in request["KeySchema"]}
        request["AttributeDefinitions"] = [
            attribute for attribute in request["AttributeDefinitions"] if attribute["AttributeName"] in keys
        ]
        dynamodb.create_table(**request)
    for factory_id in (30, 4, 12):
        dynamodb.put_item(TableName=names[FACTORIES.name], Item=factory_item(factory_id))
    return dynamodb, names


def test_the_declared_indexes_are_added_and_the_factories_listed_in_id_order(
    older_tables: tuple[Any, dict[str, str]],
) -> None:
    dynamodb, names = older_tables

    added = add_declared_indexes(dynamodb, names)

    declared = [f"{table.name}.{index.name}" for table in TABLES for index in table.indexes]
    assert added == declared
    assert "factories.by-id" in added
    for table in TABLES:
        described = dynamodb.describe_table(TableName=names[table.name])["Table"]
        indexes = {index["IndexName"] for index in described.get("GlobalSecondaryIndexes", [])}
        assert indexes == {index.name for index in table.indexes}, table.name
    assert listed(dynamodb, names[FACTORIES.name]) == [4, 12, 30]
    assert add_declared_indexes(dynamodb, names) == []


def test_the_backfill_leaves_items_that_have_the_value_and_counts_the_others(
    older_tables: tuple[Any, dict[str, str]],
) -> None:
    dynamodb, names = older_tables
    table_name = names[FACTORIES.name]
    dynamodb.put_item(TableName=table_name, Item=factory_item(7) | {"listing": {"S": "factories"}})

    assert backfill.backfill(dynamodb, FACTORIES, table_name) == 3
    assert backfill.backfill(dynamodb, FACTORIES, table_name) == 0
    items = dynamodb.scan(TableName=table_name)["Items"]
    assert sorted(int(item["id"]["N"]) for item in items) == [4, 7, 12, 30]
    assert {item["listing"]["S"] for item in items} == {"factories"}
    assert all(item["points"] == {"N": "3"} for item in items)  # nothing else written


def test_the_command_backfills_a_named_table_and_refuses_an_unknown_one(
    older_tables: tuple[Any, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    _, names = older_tables

    assert backfill.main(["--table", f"factories={names[FACTORIES.name]}"]) == 0
    assert capsys.readouterr().out == f"factories ({names[FACTORIES.name]}): 3 items backfilled\n"
    with pytest.raises(SystemExit, match="one of factories, orders"):
        backfill.main(["--table", "sprockets=older-sprockets"])
