"""DynamoDB tables as the topology declares them, for the local cloud and the tests.

The CDK stack declares the same tables from the same `infra.topology.TABLES`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from infra.topology import TABLES, Key, Table


def create_table_request(table: Table, physical_name: str) -> dict[str, Any]:
    keys = _keys(table.partition_key, table.sort_key)
    for index in table.indexes:
        keys += _keys(index.partition_key, index.sort_key)
    request: dict[str, Any] = {
        "TableName": physical_name,
        "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": _key_schema(table.partition_key, table.sort_key),
        "AttributeDefinitions": [
            {"AttributeName": name, "AttributeType": key_type}
            for name, key_type in {key.name: key.type.value for key in keys}.items()
        ],
    }
    if table.indexes:
        request["GlobalSecondaryIndexes"] = [
            {
                "IndexName": index.name,
                "KeySchema": _key_schema(index.partition_key, index.sort_key),
                "Projection": {"ProjectionType": "ALL"},
            }
            for index in table.indexes
        ]
    if table.stream:
        request["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    return request


def _keys(partition_key: Key, sort_key: Key | None) -> list[Key]:
    return [partition_key] + ([sort_key] if sort_key else [])


def _key_schema(partition_key: Key, sort_key: Key | None) -> list[dict[str, str]]:
    return [
        {"AttributeName": key.name, "KeyType": "HASH" if position == 0 else "RANGE"}
        for position, key in enumerate(_keys(partition_key, sort_key))
    ]


def create_tables(client: Any, names: Mapping[str, str]) -> None:
    """Create every table that does not exist yet (idempotent), and set its TTL attribute."""
    existing = set(client.list_tables().get("TableNames", []))
    for table in TABLES:
        physical_name = names[table.name]
        if physical_name in existing:
            continue
        client.create_table(**create_table_request(table, physical_name))
        client.get_waiter("table_exists").wait(TableName=physical_name)
        if table.ttl_attribute:
            client.update_time_to_live(
                TableName=physical_name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": table.ttl_attribute},
            )


def local_table_names(prefix: str = "shopfloor") -> dict[str, str]:
    return {table.name: f"{prefix}-{table.name}" for table in TABLES}
