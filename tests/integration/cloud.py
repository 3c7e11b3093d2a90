"""Starting and stopping the local cloud (`python -m infra.local`) as a client would: a process on
free ports with its own data folder, ready once `GET /health` answers."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from infra.topology import ROOT

START_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class Ports:
    api: int
    dynamodb: int
    moto: int
    offers: int

    @classmethod
    def free(cls) -> Ports:
        api, dynamodb, moto, offers = free_ports(4)
        return cls(api, dynamodb, moto, offers)


def free_ports(count: int) -> list[int]:
    """Ports nothing listens on now (held open together, so they differ)."""
    with ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for probe in sockets:
            probe.bind(("127.0.0.1", 0))
        return [probe.getsockname()[1] for probe in sockets]


def cloud_environment(ports: Ports, data_dir: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The test's environment, minus anything that would point the cloud somewhere else."""
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith(("SHOPFLOOR_", "AWS_"))
    }
    environment.update(
        {
            "SHOPFLOOR_API_PORT": str(ports.api),
            "SHOPFLOOR_DYNAMODB_PORT": str(ports.dynamodb),
            "SHOPFLOOR_MOTO_PORT": str(ports.moto),
            "SHOPFLOOR_OFFERS_PORT": str(ports.offers),
            "SHOPFLOOR_DATA_DIR": str(data_dir),
            "SHOPFLOOR_LOG_LEVEL": "WARNING",
            **(extra or {}),
        }
    )
    return environment


@dataclass
class LocalCloud:
    ports: Ports
    data_dir: Path
    log_path: Path
    process: subprocess.Popen[bytes]
    descendants: set[int] = field(default_factory=set)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.api}"

    @property
    def dynamodb_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.dynamodb}"

    @property
    def moto_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.moto}"

    @property
    def offers_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.offers}"

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> int:
        """SIGTERM, as `make run` gets from Ctrl-C or a supervisor; the exit code."""
        self.descendants |= descendants(self.process.pid)
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            pytest.fail(f"the local cloud did not stop on SIGTERM:\n{self.output()}")


def start_cloud(
    ports: Ports,
    data_dir: Path,
    components: Sequence[str] = (),
    *,
    extra_env: Mapping[str, str] | None = None,
    healthy: bool = True,
) -> LocalCloud:
    """The local cloud, once `GET /health` answers (with 200 unless `healthy` is False)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = data_dir / "local-cloud.out"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "infra.local", *components],
            cwd=ROOT,
            env=cloud_environment(ports, data_dir, extra_env),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    cloud = LocalCloud(ports, data_dir, log_path, process)
    started = time.monotonic()
    while True:
        if process.poll() is not None:
            pytest.fail(f"the local cloud exited with code {process.returncode}:\n{cloud.output()}")
        status = _health_status(cloud.base_url)
        if status == 200 or (status is not None and not healthy):
            cloud.descendants = descendants(process.pid)
            return cloud
        if time.monotonic() - started > START_TIMEOUT_SECONDS:
            cloud.stop()
            pytest.fail(
                f"GET /health did not answer 200 within {START_TIMEOUT_SECONDS:.0f} s "
                f"(last answer: {status or 'none'}):\n{cloud.output()}"
            )
        time.sleep(0.2)


def _health_status(base_url: str) -> int | None:
    try:
        return requests.get(f"{base_url}/health", timeout=30).status_code
    except requests.RequestException:
        return None


def descendants(pid: int) -> set[int]:
    """Every process below `pid` (Linux /proc; empty elsewhere)."""
    found: set[int] = set()
    pending = [pid]
    while pending:
        parent = pending.pop()
        for children in Path(f"/proc/{parent}/task").glob("*/children"):
            try:
                pids = {int(child) for child in children.read_text().split()}
            except OSError:
                continue
            pending += sorted(pids - found)
            found |= pids
    return found


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in {"Z", "X"}


def stream_records(cloud: LocalCloud, table: str, item_id: int) -> list[dict[str, Any]]:
    """The records of one item (by its numeric `id`) in a table's stream in the cloud's DynamoDB
    Local, oldest first, as the event source mapping hands them to a function."""
    from infra.dynamodb import local_table_names
    from infra.local import resources
    from infra.local.streams import lambda_record

    dynamodb = resources.local_client("dynamodb", cloud.dynamodb_url)
    streams = resources.local_client("dynamodbstreams", cloud.dynamodb_url)
    arn = dynamodb.describe_table(TableName=local_table_names()[table])["Table"]["LatestStreamArn"]
    found = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while iterator:
            page = streams.get_records(ShardIterator=iterator, Limit=1000)
            found += [
                lambda_record(record, arn)
                for record in page["Records"]
                if record["dynamodb"]["Keys"]["id"]["N"] == str(item_id)
            ]
            iterator = page.get("NextShardIterator") if page["Records"] else None
    return found
