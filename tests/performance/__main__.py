"""`make bench`: the benchmarks, each printing its table. Numbers, not pass/fail tests."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from infra.dynamodb import create_table_request, create_tables, local_table_names
from infra.local import dynamodb_local
from infra.local.settings import LocalSettings
from infra.topology import OFFERS, SHARED_LAYER_DIR
from tests.integration.cloud import free_ports

BENCHMARKS = ("cold-start", "sync")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--runs", type=int, default=7, help="cold start: fresh interpreters per function (>= 5)"
    )
    parser.add_argument("--only", choices=BENCHMARKS, help="run one benchmark")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="shopfloor-bench-") as data_dir:
        (port,) = free_ports(1)
        settings = LocalSettings(dynamodb_port=port, data_dir=Path(data_dir))
        dynamodb = dynamodb_local.start(settings, dynamodb_local.find_java(), dynamodb_local.find_jar())
        try:
            dynamodb_local.wait_and_create_tables(dynamodb, settings)
            if args.only in (None, "cold-start"):
                print(cold_start_table(settings, max(args.runs, 5)), flush=True)
            if args.only in (None, "sync"):
                print(sync_table(settings), flush=True)
        finally:
            dynamodb.stop()


def cold_start_table(settings: LocalSettings, runs: int) -> str:
    from tests.performance import cold_start

    table_names = local_table_names()
    dynamodb_local.client(settings).put_item(
        TableName=table_names["products"],
        Item={"id": {"N": "1"}, "name": {"S": "Kettle"}, "description": {"S": "1.7 litres"}},
    )
    samples = cold_start.measure(settings.dynamodb_url, table_names, runs)
    return cold_start.table(samples)


def sync_table(settings: LocalSettings) -> str:
    os.environ.update(
        {
            "AWS_ENDPOINT_URL_DYNAMODB": settings.dynamodb_url,
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
        }
    )
    sys.path.insert(0, str(SHARED_LAYER_DIR / "python"))
    from tests.performance import sync

    table_names = local_table_names("bench-sync")
    client = dynamodb_local.client(settings)
    create_tables(client, table_names)
    baseline = "bench-sync-baseline-offers"
    client.create_table(**create_table_request(OFFERS, baseline))
    return sync.run(table_names, baseline)


if __name__ == "__main__":
    main()
