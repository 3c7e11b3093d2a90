"""`make bench`: the benchmarks, each printing its table. Numbers, not pass/fail tests."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from infra.dynamodb import local_table_names
from infra.local import dynamodb_local
from infra.local.settings import LocalSettings
from tests.integration.cloud import free_ports
from tests.performance import cold_start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7, help="fresh interpreters per function (>= 5)")
    args = parser.parse_args()
    runs = max(args.runs, 5)
    with tempfile.TemporaryDirectory(prefix="shopfloor-bench-") as data_dir:
        (port,) = free_ports(1)
        settings = LocalSettings(dynamodb_port=port, data_dir=Path(data_dir))
        dynamodb = dynamodb_local.start(settings, dynamodb_local.find_java(), dynamodb_local.find_jar())
        try:
            dynamodb_local.wait_and_create_tables(dynamodb, settings)
            table_names = local_table_names()
            dynamodb_local.client(settings).put_item(
                TableName=table_names["products"],
                Item={"id": {"N": "1"}, "name": {"S": "Kettle"}, "description": {"S": "1.7 litres"}},
            )
            samples = cold_start.measure(settings.dynamodb_url, table_names, runs)
        finally:
            dynamodb.stop()
    print(cold_start.table(samples))


if __name__ == "__main__":
    main()
