"""The local stream event source delivers a batch as Lambda does: partial failures, bisect, retries,
then the on-failure queue (moto)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from infra.dynamodb import create_table_request, local_table_names
from infra.local import streams
from infra.local.dynamodb_local import enable_declared_streams
from infra.local.settings import LocalSettings
from infra.local.streams import StreamPoller, lambda_record
from infra.local.workers import FunctionError
from infra.topology import FUNCTIONS, TABLES, TableStream

ARCHIVER = next(function for function in FUNCTIONS if function.name == "warranty-archiver")
STREAM = TableStream(table="warranties", retry_attempts=2)
ARN = "arn:aws:dynamodb:ddblocal:000000000000:table/shopfloor-warranties/stream/2026"


class Function:
    """Fails the records whose id is in `failing` (reported, or by raising), records every call."""

    def __init__(self, failing: set[int], *, raises: bool = False) -> None:
        self.failing = failing
        self.raises = raises
        self.calls: list[list[int]] = []

    def invoke(self, event: dict[str, Any], request_id: str) -> Any:
        ids = [int(record["dynamodb"]["Keys"]["id"]["N"]) for record in event["Records"]]
        self.calls.append(ids)
        failed = [
            record
            for record in event["Records"]
            if int(record["dynamodb"]["Keys"]["id"]["N"]) in self.failing
        ]
        if failed and self.raises:
            raise FunctionError("boom")
        return {
            "batchItemFailures": [
                {"itemIdentifier": record["dynamodb"]["SequenceNumber"]} for record in failed
            ]
        }


def records(*ids: int) -> list[dict[str, Any]]:
    raw = [
        {
            "eventID": f"e{id_}",
            "eventName": "INSERT",
            "dynamodb": {"Keys": {"id": {"N": str(id_)}}, "SequenceNumber": f"{id_:021d}", "NewImage": {}},
        }
        for id_ in ids
    ]
    return [lambda_record(record, ARN) for record in raw]


@pytest.fixture
def failures_queue() -> str:
    return str(
        boto3.client("sqs").create_queue(QueueName="shopfloor-warranty-archiver-stream-failures")["QueueUrl"]
    )


@pytest.fixture
def poller(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failures_queue: str) -> Any:
    monkeypatch.setattr(streams, "RETRY_BASE_SECONDS", 0)

    def make(function: Function) -> StreamPoller:
        settings = LocalSettings(data_dir=tmp_path)
        created = StreamPoller(ARCHIVER, STREAM, function, settings, table_name="t", checkpoint_dir=tmp_path)
        created._sqs = boto3.client("sqs")  # moto, in process
        created._failures_url = failures_queue
        return created

    return make


def failure_messages(queue_url: str) -> list[dict[str, Any]]:
    messages = (
        boto3.client("sqs").receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
    )
    return [json.loads(message["Body"]) for message in messages]


def test_a_batch_that_succeeds_is_delivered_once(poller: Any, failures_queue: str) -> None:
    function = Function(failing=set())

    poller(function)._deliver(records(1, 2, 3), "shard-1")

    assert function.calls == [[1, 2, 3]]
    assert failure_messages(failures_queue) == []


def test_reported_failures_are_retried_from_the_first_failed_record(poller: Any, failures_queue: str) -> None:
    function = Function(failing={2})
    source = poller(function)

    source._deliver(records(1, 2, 3), "shard-1")

    # Retried from record 2 until the retries run out (2 here), then its position is sent on.
    assert function.calls == [[1, 2, 3], [2, 3], [2, 3]]
    (message,) = failure_messages(failures_queue)
    info = message["DDBStreamBatchInfo"]
    assert (info["startSequenceNumber"], info["endSequenceNumber"]) == (f"{2:021d}", f"{3:021d}")
    assert info["batchSize"] == 2
    assert info["shardId"] == "shard-1"
    assert info["streamArn"] == ARN
    assert message["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert message["requestContext"]["approximateInvokeCount"] == STREAM.retry_attempts + 1


def test_a_function_error_bisects_the_batch_until_the_bad_record_is_alone(
    poller: Any, failures_queue: str
) -> None:
    function = Function(failing={3}, raises=True)

    poller(function)._deliver(records(1, 2, 3, 4), "shard-1")

    assert function.calls == [[1, 2, 3, 4], [1, 2], [3, 4], [3], [3], [3], [4]]
    (message,) = failure_messages(failures_queue)
    assert message["DDBStreamBatchInfo"]["startSequenceNumber"] == f"{3:021d}"
    assert message["DDBStreamBatchInfo"]["batchSize"] == 1
    assert message["responseContext"]["functionError"] == "Unhandled"


def test_an_unreadable_answer_fails_the_whole_batch(poller: Any) -> None:
    class Odd(Function):
        def invoke(self, event: dict[str, Any], request_id: str) -> Any:
            super().invoke(event, request_id)
            return {"batchItemFailures": [{"itemIdentifier": "not one of them"}]}

    function = Odd(failing=set())

    poller(function)._deliver(records(1, 2), "shard-1")

    assert function.calls == [[1, 2]] * (STREAM.retry_attempts + 1)


def test_checkpoints_survive_a_restart(poller: Any) -> None:
    first = poller(Function(failing=set()))
    first._save_checkpoint("shard-1", "000000000000000000042")

    again = poller(Function(failing=set()))

    assert again._checkpoints == {"shard-1": "000000000000000000042"}


def test_a_table_made_without_its_declared_stream_gets_it() -> None:
    """A data folder from before the topology declared a table's stream: the stream is turned on."""
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    names = local_table_names("older")
    for table in TABLES:
        request = create_table_request(table, names[table.name])
        request.pop("StreamSpecification", None)
        dynamodb.create_table(**request)

    changed = enable_declared_streams(dynamodb, names)

    assert changed == [names[table.name] for table in TABLES if table.stream]
    assert "older-orders" in changed
    for table in TABLES:
        described = dynamodb.describe_table(TableName=names[table.name])["Table"]
        enabled = described.get("StreamSpecification", {}).get("StreamEnabled", False)
        assert enabled == table.stream, table.name
        if table.stream:
            assert described["StreamSpecification"]["StreamViewType"] == "NEW_IMAGE"
    assert enable_declared_streams(dynamodb, names) == []
