"""`make bench`: the benchmarks, each printing its table. Numbers, not pass/fail tests."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from infra.dynamodb import create_table_request, create_tables, local_table_names
from infra.local import dynamodb_local, moto_server, resources, users
from infra.local.environment import function_environments
from infra.local.offers_service import OffersServer, OffersService
from infra.local.settings import LocalSettings
from infra.topology import FUNCTIONS, OFFERS, ROOT, SHARED_LAYER_DIR
from tests.integration.cloud import free_ports

if TYPE_CHECKING:
    from tests.performance.calls import Bench
    from tests.performance.cold_start import Event

BENCHMARKS = ("cold-start", "calls", "sync", "cost", "page-weight")
BENCH_DIR = ROOT / "build" / "bench"
COST_JSON = BENCH_DIR / "cost.json"
# What the handlers run in the benchmark's process print (logs, metrics): kept, never shown.
HANDLERS_OUTPUT = BENCH_DIR / "handlers.log"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--runs", type=int, default=7, help="cold start: fresh interpreters per function (>= 5)"
    )
    parser.add_argument("--only", choices=BENCHMARKS, help="run one benchmark")
    args = parser.parse_args()
    if args.only != "page-weight":
        run_against_dynamodb_local(args)
    if args.only in (None, "page-weight"):
        from tests.performance import page_weight

        print(page_weight.run(), flush=True)


def run_against_dynamodb_local(args: argparse.Namespace) -> None:
    """The cold-start, calls, sync and cost benchmarks, on one DynamoDB Local and moto of their own."""
    with tempfile.TemporaryDirectory(prefix="shopfloor-bench-") as data_dir:
        dynamodb_port, moto_port, offers_port = free_ports(3)
        settings = LocalSettings(
            dynamodb_port=dynamodb_port, moto_port=moto_port, offers_port=offers_port, data_dir=Path(data_dir)
        )
        dynamodb = dynamodb_local.start(settings, dynamodb_local.find_java(), dynamodb_local.find_jar())
        moto = moto_server.start(settings)
        try:
            dynamodb_local.wait_and_create_tables(dynamodb, settings)
            moto_server.wait(moto, settings)
            if args.only in (None, "cold-start"):
                print(cold_start_table(settings, max(args.runs, 5)), flush=True)
            if args.only in (None, "calls", "cost"):
                bench = run_scenarios(settings)
                if args.only in (None, "calls"):
                    from tests.performance import calls

                    print(calls.table(bench), flush=True)
            if args.only in (None, "sync"):
                print(sync_table(settings), flush=True)
            if args.only in (None, "cost"):
                print(cost_tables(settings, bench), flush=True)
        finally:
            moto.stop()
            dynamodb.stop()


@contextmanager
def probed_cloud(
    settings: LocalSettings,
) -> Iterator[tuple[dict[str, dict[str, str]], dict[str, tuple[str, Event]]]]:
    """The local cloud's pieces set up for fresh interpreters serving each function's first
    representative event (cold_start.representative_events): the functions' environments and the
    events, while the offers service runs."""
    from tests.performance import cold_start, factories_data

    resources.provision(settings)
    users.create_demo_users(settings)
    table_names = local_table_names()
    service = OffersService(refresh_token=settings.offers_refresh_token, tick_seconds=0)
    server = OffersServer(settings.host, settings.offers_port, service)
    server.start()
    try:
        offers_id = str(uuid.uuid4())
        _register(service, settings.offers_refresh_token, offers_id)
        dynamodb_local.client(settings).put_item(
            TableName=table_names["products"],
            Item={
                "id": {"N": "1"},
                "name": {"S": "Kettle"},
                "description": {"S": "1.7 litres"},
                "offers_id": {"S": offers_id},
                "registered": {"BOOL": True},
            },
        )
        factories_data.put_factory_and_sprocket(dynamodb_local.client(settings), table_names)
        _reserve_first_ids(dynamodb_local.client(settings), table_names["ids"])
        yield function_environments(settings), cold_start.representative_events(offers_id)
    finally:
        server.stop()


def cold_start_table(settings: LocalSettings, runs: int) -> str:
    """Every function against the local cloud's pieces: DynamoDB Local, moto, the offers service."""
    from tests.performance import cold_start

    with probed_cloud(settings) as (environments, events):
        floor_environment = {
            name: value
            for name, value in environments["products"].items()
            if name.startswith("AWS_") and not name.startswith("AWS_LAMBDA")
        }
        products_table = local_table_names()["products"]
        samples = cold_start.measure(environments, floor_environment, products_table, events, runs)
    return cold_start.table(samples, events)


def run_scenarios(settings: LocalSettings) -> Bench:
    """Every route and event's scenario, each function a warm container in this process."""
    sys.path.insert(0, str(SHARED_LAYER_DIR / "python"))
    from tests.performance import calls

    resources.provision(settings)
    service = OffersService(refresh_token=settings.offers_refresh_token, tick_seconds=0)
    server = OffersServer(settings.host, settings.offers_port, service)
    server.start()
    try:
        return calls.run(function_environments(settings), HANDLERS_OUTPUT)
    finally:
        server.stop()


def cost_tables(settings: LocalSettings, bench: Bench) -> str:
    """The cost of every route and asynchronous path (also written to build/bench/cost.json), and
    each function's memory beside its peak RSS, from a fresh interpreter per function."""
    from tests.performance import cold_start, cost, memory

    with probed_cloud(settings) as (environments, events):
        footprints = {
            function.name: cold_start.footprint(
                function, environments[function.name], events[function.name][1]
            )
            for function in FUNCTIONS
        }
    routes, paths = cost.price_routes(bench), cost.price_events(bench)
    cost.write_json(COST_JSON, routes, paths)
    return cost.table(routes, paths) + "\n\n" + memory.table(memory.needs(bench, footprints))


def _reserve_first_ids(dynamodb: Any, ids_table: str) -> None:
    """Id 1 of products, factories and sprockets was put above without the allocator: mark it
    taken, so the requests of later benchmarks get ids of their own."""
    for sequence in ("products", "factories", "sprockets"):
        dynamodb.update_item(
            TableName=ids_table,
            Key={"sequence": {"S": sequence}},
            UpdateExpression="SET high = if_not_exists(high, :one)",
            ExpressionAttributeValues={":one": {"N": "1"}},
        )


def _register(service: OffersService, refresh_token: str, offers_id: str) -> None:
    """Registers product 1 straight with the service, then revokes the token that took, so the
    functions' first run requests its own (and later runs share it through DynamoDB, as in AWS)."""
    token = json.loads(service.authenticate(refresh_token).body)["access_token"]
    body = json.dumps({"id": offers_id, "name": "Kettle", "description": "1.7 litres"}).encode()
    service.register(token, body)
    service.revoke_token()


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
