"""Give items written before an index of every item existed (`Index.every_item` in the topology)
that index's partition value, so that its one-Query list finds them too.

    python -m infra.backfill --table factories=<physical table name> [--table ...]

against a deployed stack, with your AWS credentials (the physical names are in the stack's
resources: `aws dynamodb list-tables`). The local cloud runs it by itself on a data folder whose
table it has just given the index. Idempotent: an item that has the value is left alone, and an
item deleted meanwhile is not written again.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from infra.topology import TABLES, Index, Table


def every_item_indexes(table: Table) -> list[Index]:
    return [index for index in table.indexes if index.every_item is not None]


def backfill(dynamodb: Any, table: Table, physical_name: str) -> int:
    """Sets each every-item index's partition value on the items of `table` that lack it; the
    number of items written."""
    written = 0
    key_names = [table.partition_key.name] + ([table.sort_key.name] if table.sort_key else [])
    for index in every_item_indexes(table):
        attribute = index.partition_key.name
        names = {"#value": attribute} | {f"#key{position}": name for position, name in enumerate(key_names)}
        pages = dynamodb.get_paginator("scan").paginate(
            TableName=physical_name,
            FilterExpression="attribute_not_exists(#value)",
            ProjectionExpression=", ".join(f"#key{position}" for position in range(len(key_names))),
            ExpressionAttributeNames=names,
        )
        for page in pages:
            for key in page["Items"]:
                try:
                    dynamodb.update_item(
                        TableName=physical_name,
                        Key=key,
                        UpdateExpression="SET #value = :value",
                        ConditionExpression="attribute_exists(#key0) AND attribute_not_exists(#value)",
                        ExpressionAttributeNames={"#value": attribute, "#key0": key_names[0]},
                        ExpressionAttributeValues={":value": {"S": index.every_item}},
                    )
                except ClientError as error:
                    if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                        raise
                    continue  # deleted, or given the value by a write since the scan
                written += 1
    return written


def _table_names(pairs: Sequence[str]) -> dict[Table, str]:
    by_name = {table.name: table for table in TABLES}
    chosen: dict[Table, str] = {}
    for pair in pairs:
        name, _, physical = pair.partition("=")
        table = by_name.get(name)
        if table is None or not every_item_indexes(table) or not physical:
            backfilled = sorted(table.name for table in TABLES if every_item_indexes(table))
            raise SystemExit(f"--table takes <name>=<physical name>, <name> one of {', '.join(backfilled)}")
        chosen[table] = physical
    return chosen


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--table", action="append", required=True, metavar="NAME=PHYSICAL_NAME")
    arguments = parser.parse_args(argv)
    tables = _table_names(arguments.table)
    dynamodb = boto3.client("dynamodb")
    for table, physical in tables.items():
        try:
            written = backfill(dynamodb, table, physical)
        except (BotoCoreError, ClientError) as error:
            print(f"{table.name} ({physical}): {error}", file=sys.stderr)
            return 1
        print(f"{table.name} ({physical}): {written} items backfilled")
    return 0


if __name__ == "__main__":
    sys.exit(main())
