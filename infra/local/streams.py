"""The DynamoDB stream event source, played locally against DynamoDB Local's streams.

Like Lambda's event source mapping with the topology's `TableStream`: it reads each shard in order
(from the start, or after its checkpoint), keeps only the declared event names (the event filter),
gathers up to `batch_size` records for at most `batching_window_seconds`, and invokes the
function through its worker pool with the event Lambda sends. Then:

- the function answers `batchItemFailures`: the records from the first failed one are retried;
- the function fails (raises, times out): the batch is split in two and each half retried
  (BisectBatchOnFunctionError; splitting does not count as a retry);
- after `retry_attempts` retries, or once the oldest record is older than
  `max_record_age_seconds`, the batch's position goes to the on-failure queue in moto, in the
  shape Lambda sends (`DDBStreamBatchInfo`), and reading goes on after it.

Checkpoints (the last sequence number handled per shard) are kept in the data folder, so a
restart of the local cloud goes on where it stopped instead of delivering everything again.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from infra.dynamodb import local_table_names
from infra.local import resources
from infra.local.event_sources import BurstSummary, Invoker
from infra.local.settings import LocalSettings
from infra.local.workers import FunctionError
from infra.topology import Function, TableStream

logger = logging.getLogger("shopfloor.local.streams")

POLL_SECONDS = 0.25
RETRY_BASE_SECONDS = 0.2
RETRY_MAX_SECONDS = 2.0
_STALE_ITERATOR = {"TrimmedDataAccessException", "ExpiredIteratorException"}
_CONFIG = Config(connect_timeout=2, read_timeout=10, retries={"max_attempts": 2, "mode": "standard"})


@dataclass
class _Outcome:
    """How an invocation ended: success, some records failed from `failed_from`, or an error."""

    failed_from: int | None = None
    function_error: bool = False


@dataclass
class _Shard:
    shard_id: str
    iterator: str | None
    pending: list[dict[str, Any]] = field(default_factory=list)
    window_started: float | None = None
    last_seen: str | None = None  # the last sequence number read, kept or filtered out


def lambda_record(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """A GetRecords record as the event source mapping hands it to the function."""
    dynamodb = dict(record["dynamodb"])
    created = dynamodb.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        dynamodb["ApproximateCreationDateTime"] = int(created.timestamp())
    return {
        "eventID": record["eventID"],
        "eventName": record["eventName"],
        "eventVersion": record.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": resources.REGION,
        "dynamodb": dynamodb,
        "eventSourceARN": stream_arn,
    }


class StreamPoller:
    """The stream event source mapping of one function."""

    def __init__(
        self,
        function: Function,
        stream: TableStream,
        invoker: Invoker,
        settings: LocalSettings,
        *,
        table_name: str | None = None,
        checkpoint_dir: Path | None = None,
    ) -> None:
        self._function = function
        self._stream = stream
        self._invoker = invoker
        self._table_name = table_name or local_table_names()[stream.table]
        self._streams = resources.local_client("dynamodbstreams", settings.dynamodb_url, _CONFIG)
        self._dynamodb = resources.local_client("dynamodb", settings.dynamodb_url, _CONFIG)
        self._sqs = resources.client("sqs", settings)
        self._failures_url = resources.queue_url(settings, resources.stream_failures_name(function))
        directory = checkpoint_dir or settings.data_dir / "streams"
        self._checkpoint_file = directory / f"{function.name}.json"
        self._checkpoints: dict[str, str] = self._load_checkpoints()
        self._stream_arn: str | None = None
        self._shards: dict[str, _Shard] = {}
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"stream-{function.name}", daemon=True)
        self._summary = BurstSummary("stream", function.name, "records", logger)
        self.delivered = 0
        self.failed_batches = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(RETRY_MAX_SECONDS + 10)

    # Reading the stream

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                busy = self._poll_once()
            except (BotoCoreError, ClientError) as error:
                if not self._stopping.is_set():
                    logger.warning(
                        "stream: %s cannot read %s: %s", self._function.name, self._table_name, error
                    )
                    self._stream_arn = None
                busy = False
            if not busy:
                if not any(shard.pending for shard in self._shards.values()):
                    self._summary.quiet()
                self._stopping.wait(POLL_SECONDS)

    def _poll_once(self) -> bool:
        if self._stream_arn is None:
            self._stream_arn = self._dynamodb.describe_table(TableName=self._table_name)["Table"][
                "LatestStreamArn"
            ]
            self._shards.clear()
        self._discover_shards()
        busy = False
        for shard in list(self._shards.values()):
            busy |= self._read(shard)
        return busy

    def _discover_shards(self) -> None:
        assert self._stream_arn is not None
        start: dict[str, str] = {}
        while True:
            description = self._streams.describe_stream(StreamArn=self._stream_arn, **start)[
                "StreamDescription"
            ]
            for shard in description.get("Shards", []):
                shard_id = shard["ShardId"]
                if shard_id not in self._shards:
                    self._shards[shard_id] = _Shard(shard_id, self._iterator(shard_id))
            last = description.get("LastEvaluatedShardId")
            if not last:
                return
            start = {"ExclusiveStartShardId": last}

    def _iterator(self, shard_id: str, after: str | None = None) -> str | None:
        checkpoint = after or self._checkpoints.get(shard_id)
        position: dict[str, str] = (
            {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": checkpoint}
            if checkpoint
            else {"ShardIteratorType": "TRIM_HORIZON"}
        )
        response = self._streams.get_shard_iterator(StreamArn=self._stream_arn, ShardId=shard_id, **position)
        iterator: str | None = response.get("ShardIterator")
        return iterator

    def _read(self, shard: _Shard) -> bool:
        """Reads what the shard has, and hands over a batch when it is full or its window ended."""
        got = False
        if shard.iterator is not None and len(shard.pending) < self._stream.batch_size:
            try:
                response = self._streams.get_records(
                    ShardIterator=shard.iterator, Limit=self._stream.batch_size - len(shard.pending)
                )
            except ClientError as error:
                if error.response["Error"]["Code"] not in _STALE_ITERATOR:
                    raise
                # An iterator from before the shard's first record, or one that expired (15 min).
                shard.iterator = self._iterator(shard.shard_id, after=shard.last_seen)
                return False
            shard.iterator = response.get("NextShardIterator")
            records = response.get("Records", [])
            got = bool(records)
            for record in records:
                if record.get("eventName") in self._stream.event_names:
                    shard.pending.append(record)
                shard.last_seen = record["dynamodb"]["SequenceNumber"]
            if records and not shard.pending and shard.last_seen is not None:
                self._save_checkpoint(shard.shard_id, shard.last_seen)  # filtered out: nothing to deliver
            if shard.pending and shard.window_started is None:
                shard.window_started = time.monotonic()
        window_over = (
            shard.window_started is not None
            and time.monotonic() - shard.window_started >= self._stream.batching_window_seconds
        )
        if shard.pending and (
            len(shard.pending) >= self._stream.batch_size or window_over or shard.iterator is None
        ):
            batch, shard.pending, shard.window_started = shard.pending, [], None
            delivered = self.delivered
            self._summary.begin()
            try:
                self._deliver(
                    [lambda_record(record, self._stream_arn or "") for record in batch], shard.shard_id
                )
            finally:
                self._summary.end(len(batch), len(batch) - (self.delivered - delivered))
            self._save_checkpoint(shard.shard_id, shard.last_seen or batch[-1]["dynamodb"]["SequenceNumber"])
        if shard.iterator is None and not shard.pending:
            del self._shards[shard.shard_id]  # closed and drained: its children carry on
        return got

    # Delivering a batch

    def _deliver(self, records: list[dict[str, Any]], shard_id: str) -> None:
        retries = 0
        pending = records
        while pending and not self._stopping.is_set():
            outcome = self._invoke(pending)
            if outcome.failed_from is None:
                logger.debug("stream: %s %d records delivered", self._function.name, len(pending))
                self.delivered += len(pending)
                return
            if outcome.function_error and len(pending) > 1:
                half = len(pending) // 2
                logger.debug("stream: %s failed, bisecting %d records", self._function.name, len(pending))
                self._deliver(pending[:half], shard_id)
                self._deliver(pending[half:], shard_id)
                return
            self.delivered += outcome.failed_from
            pending = pending[outcome.failed_from :]
            retries += 1
            if retries > self._stream.retry_attempts or self._too_old(pending[0]):
                self._send_to_failures(pending, shard_id, retries, outcome.function_error)
                return
            self._stopping.wait(min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2 ** (retries - 1)))

    def _invoke(self, records: list[dict[str, Any]]) -> _Outcome:
        try:
            result = self._invoker.invoke({"Records": records}, str(uuid.uuid4()))
        except FunctionError as error:
            if not self._stopping.is_set():
                logger.error("stream: %s failed on %d records: %s", self._function.name, len(records), error)
            return _Outcome(failed_from=0, function_error=True)
        return _Outcome(failed_from=_first_failed(result, records))

    def _too_old(self, record: dict[str, Any]) -> bool:
        created = record["dynamodb"].get("ApproximateCreationDateTime")
        return (
            isinstance(created, int | float) and time.time() - created > self._stream.max_record_age_seconds
        )

    def _send_to_failures(
        self, records: list[dict[str, Any]], shard_id: str, attempts: int, function_error: bool
    ) -> None:
        self.failed_batches += 1
        first, last = records[0]["dynamodb"], records[-1]["dynamodb"]
        function_arn = (
            f"arn:aws:lambda:{resources.REGION}:{resources.ACCOUNT_ID}:function:{self._function.name}"
        )
        message = {
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": function_arn,
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": attempts,
            },
            "responseContext": {
                "statusCode": 200,
                "executedVersion": "$LATEST",
                "functionError": "Unhandled" if function_error else "",
            },
            "version": "1.0",
            "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "DDBStreamBatchInfo": {
                "shardId": shard_id,
                "startSequenceNumber": first["SequenceNumber"],
                "endSequenceNumber": last["SequenceNumber"],
                "approximateArrivalOfFirstRecord": _iso(first.get("ApproximateCreationDateTime")),
                "approximateArrivalOfLastRecord": _iso(last.get("ApproximateCreationDateTime")),
                "batchSize": len(records),
                "streamArn": records[0]["eventSourceARN"],
            },
        }
        logger.error(
            "stream: %s gave up on %d records after %d attempts; their position is in %s",
            self._function.name,
            len(records),
            attempts,
            self._failures_url,
        )
        self._sqs.send_message(QueueUrl=self._failures_url, MessageBody=json.dumps(message))

    # Checkpoints

    def _load_checkpoints(self) -> dict[str, str]:
        try:
            loaded = json.loads(self._checkpoint_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return (
            {str(shard): str(sequence) for shard, sequence in loaded.items()}
            if isinstance(loaded, dict)
            else {}
        )

    def _save_checkpoint(self, shard_id: str, sequence_number: str) -> None:
        self._checkpoints[shard_id] = sequence_number
        self._checkpoint_file.parent.mkdir(parents=True, exist_ok=True)
        temporary = self._checkpoint_file.with_suffix(".tmp")
        temporary.write_text(json.dumps(self._checkpoints), encoding="utf-8")
        temporary.replace(self._checkpoint_file)


def _first_failed(result: Any, records: list[dict[str, Any]]) -> int | None:
    """Where to retry from, as Lambda reads a stream's ReportBatchItemFailures response: the first
    failed sequence number; anything unreadable fails the whole batch."""
    sequences = [record["dynamodb"]["SequenceNumber"] for record in records]
    if result is None:
        return None
    if not isinstance(result, dict):
        return 0
    failures = result.get("batchItemFailures")
    if not failures:
        return None
    if not isinstance(failures, list):
        return 0
    positions: list[int] = []
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if identifier not in sequences:
            return 0
        positions.append(sequences.index(identifier))
    return min(positions)


def _iso(epoch: Any) -> str | None:
    if not isinstance(epoch, int | float):
        return None
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def stream_pollers(
    functions: Iterable[Function], invokers: dict[str, Invoker], settings: LocalSettings
) -> list[StreamPoller]:
    return [
        StreamPoller(function, function.streams_from, invokers[function.name], settings)
        for function in functions
        if function.streams_from is not None
    ]
