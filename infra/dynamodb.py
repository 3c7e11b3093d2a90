"""DynamoDB tables as the topology declares them, for the local cloud and the tests.

The CDK stack declares the same tables from the same `infra.topology.TABLES`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from infra.topology import TABLES, Table


def create_table_request(table: Table, physical_name: str) -> dict[str, Any]:
    keys = [table.partition_key] + ([table.sort_key] if table.sort_key else [])
    return {
        "TableName": physical_name,
        "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [
            {"AttributeName": key.name, "KeyType": "HASH" if index == 0 else "RANGE"}
            for index, key in enumerate(keys)
        ],
        "AttributeDefinitions": [
            {"AttributeName": key.name, "AttributeType": key.type.value} for key in keys
        ],
    }


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
