"""Tables: one per topology table, all in the data stack, on demand, recoverable, encrypted, kept and
protected in prod; with the topology's global secondary indexes and, where declared, a stream of new
images. What a table is, is read from the dev (or prod) stage's stacks as one."""

from __future__ import annotations

from typing import Any

import pytest

from infra.stack import ShopfloorStage
from infra.topology import IDEMPOTENCY, MENU, ORDERS, PRICE_HISTORY, TABLES, WARRANTIES, Key, Table
from tests.infra.template import resources_of_type

pytestmark = pytest.mark.infra


def _key_schema(partition_key: Key, sort_key: Key | None) -> list[dict[str, str]]:
    keys = [partition_key] + ([sort_key] if sort_key else [])
    return [
        {"AttributeName": key.name, "KeyType": kind}
        for key, kind in zip(keys, ("HASH", "RANGE"), strict=False)
    ]


def _synthesized_table(template_dict: dict[str, Any], stage: ShopfloorStage, table: Table) -> dict[str, Any]:
    """The synthesized resource of the topology table (several tables share a key schema)."""
    logical_id = stage.data.resolve(stage.data.tables.by_name[table.name].table_name)["Ref"]
    return dict(template_dict["Resources"][logical_id])


def _attributes(table: Table) -> dict[str, str]:
    """Every key attribute of the table and of its indexes, with its type."""
    keys = [table.partition_key, table.sort_key]
    keys += [key for index in table.indexes for key in (index.partition_key, index.sort_key)]
    return {key.name: key.type.value for key in keys if key}


def test_there_is_one_table_per_topology_table_all_in_the_data_stack(
    template_dict: dict[str, Any], templates: dict[str, dict[str, Any]], stage: ShopfloorStage
) -> None:
    data = templates[stage.data.stack_name]

    assert len(resources_of_type(template_dict, "AWS::DynamoDB::Table")) == len(TABLES)
    assert len(resources_of_type(data, "AWS::DynamoDB::Table")) == len(TABLES)


@pytest.mark.parametrize("table", TABLES, ids=lambda table: table.name)
def test_each_table_is_on_demand_recoverable_and_encrypted(
    template_dict: dict[str, Any], stage: ShopfloorStage, table: Table
) -> None:
    properties = _synthesized_table(template_dict, stage, table)["Properties"]

    assert properties["KeySchema"] == _key_schema(table.partition_key, table.sort_key)
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    # Enabled without a key of our own: the AWS-managed key (alias/aws/dynamodb).
    assert properties["SSESpecification"] == {"SSEEnabled": True}
    attributes = {d["AttributeName"]: d["AttributeType"] for d in properties["AttributeDefinitions"]}
    assert attributes == _attributes(table)


@pytest.mark.parametrize("table", TABLES, ids=lambda table: table.name)
def test_each_table_has_exactly_the_topology_indexes_projecting_every_attribute(
    template_dict: dict[str, Any], stage: ShopfloorStage, table: Table
) -> None:
    properties = _synthesized_table(template_dict, stage, table)["Properties"]

    assert properties.get("GlobalSecondaryIndexes", []) == [
        {
            "IndexName": index.name,
            "KeySchema": _key_schema(index.partition_key, index.sort_key),
            "Projection": {"ProjectionType": "ALL"},
        }
        for index in table.indexes
    ]


@pytest.mark.parametrize("table", TABLES, ids=lambda table: table.name)
def test_a_table_streams_new_images_only_when_the_topology_asks(
    template_dict: dict[str, Any], stage: ShopfloorStage, table: Table
) -> None:
    properties = _synthesized_table(template_dict, stage, table)["Properties"]

    expected = {"StreamViewType": "NEW_IMAGE"} if table.stream else None
    assert properties.get("StreamSpecification") == expected


def test_warranties_are_found_by_store_and_item_and_streamed(
    template_dict: dict[str, Any], stage: ShopfloorStage
) -> None:
    properties = _synthesized_table(template_dict, stage, WARRANTIES)["Properties"]

    [index] = properties["GlobalSecondaryIndexes"]
    assert index["IndexName"] == "by-store-item"
    assert index["KeySchema"] == [
        {"AttributeName": "store_item", "KeyType": "HASH"},
        {"AttributeName": "id", "KeyType": "RANGE"},
    ]
    assert index["Projection"] == {"ProjectionType": "ALL"}
    assert properties["StreamSpecification"] == {"StreamViewType": "NEW_IMAGE"}


def test_orders_are_listed_newest_first_by_customer_by_status_and_all_together(
    template_dict: dict[str, Any], stage: ShopfloorStage
) -> None:
    properties = _synthesized_table(template_dict, stage, ORDERS)["Properties"]

    assert properties["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert {
        index["IndexName"]: [(key["AttributeName"], key["KeyType"]) for key in index["KeySchema"]]
        for index in properties["GlobalSecondaryIndexes"]
    } == {
        "by-customer": [("customer", "HASH"), ("placed", "RANGE")],
        "by-status": [("status", "HASH"), ("placed", "RANGE")],
        "by-time": [("listing", "HASH"), ("placed", "RANGE")],
    }
    assert {index["Projection"]["ProjectionType"] for index in properties["GlobalSecondaryIndexes"]} == {
        "ALL"
    }


def test_the_menu_is_read_by_key_alone(template_dict: dict[str, Any], stage: ShopfloorStage) -> None:
    properties = _synthesized_table(template_dict, stage, MENU)["Properties"]

    assert properties["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert "GlobalSecondaryIndexes" not in properties


@pytest.mark.parametrize("table", TABLES, ids=lambda table: table.name)
def test_a_table_expires_items_only_when_the_topology_names_a_ttl_attribute(
    template_dict: dict[str, Any], stage: ShopfloorStage, table: Table
) -> None:
    properties = _synthesized_table(template_dict, stage, table)["Properties"]

    expected = {"AttributeName": table.ttl_attribute, "Enabled": True} if table.ttl_attribute else None
    assert properties.get("TimeToLiveSpecification") == expected


def test_price_history_expires(template_dict: dict[str, Any], stage: ShopfloorStage) -> None:
    properties = _synthesized_table(template_dict, stage, PRICE_HISTORY)["Properties"]

    assert properties["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}


def test_idempotency_records_expire(template_dict: dict[str, Any], stage: ShopfloorStage) -> None:
    properties = _synthesized_table(template_dict, stage, IDEMPOTENCY)["Properties"]

    assert properties["TimeToLiveSpecification"] == {"AttributeName": "expiration", "Enabled": True}


@pytest.mark.parametrize("table", TABLES, ids=lambda table: table.name)
def test_prods_tables_are_retained_and_protected_from_deletion(
    prod_template_dict: dict[str, Any], prod_stage: ShopfloorStage, table: Table
) -> None:
    resource = _synthesized_table(prod_template_dict, prod_stage, table)

    assert (resource["DeletionPolicy"], resource["UpdateReplacePolicy"]) == ("Retain", "Retain")
    assert resource["Properties"]["DeletionProtectionEnabled"] is True


@pytest.mark.parametrize("table", TABLES, ids=lambda table: table.name)
def test_devs_tables_go_with_its_data_stack(
    template_dict: dict[str, Any], stage: ShopfloorStage, table: Table
) -> None:
    resource = _synthesized_table(template_dict, stage, table)

    assert (resource["DeletionPolicy"], resource["UpdateReplacePolicy"]) == ("Delete", "Delete")
    assert resource["Properties"].get("DeletionProtectionEnabled", False) is False
