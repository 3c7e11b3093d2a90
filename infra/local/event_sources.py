"""The event sources CDK declares, played locally: EventBridge schedules and SQS event source mappings.

A schedule invokes its function with an EventBridge "Scheduled Event" every N minutes (or every
SHOPFLOOR_SCHEDULE_SECONDS), first shortly after start. An SQS poller behaves like the event source
mapping with ReportBatchItemFailures: it receives up to the queue's batch size (long polling), invokes
the function through its worker pool with at most the queue's max_concurrency batches at once,
deletes the messages that succeeded, and leaves the failed ones (all of them if the function failed
or answered something that is not a batch response) to reappear after the visibility timeout. After
max_receive_count receives, moto server itself moves a message to the dead-letter queue on the next
receive (moto/sqs/models.py, SQSBackend.receive_message), as SQS does.

What they log: a firing of a schedule, and a burst of batches once the queue (or stream) is quiet
again, at INFO (WARNING if some failed); each batch at DEBUG; a function that fails at ERROR.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from infra.local import resources
from infra.local.logs import key_values
from infra.local.settings import LocalSettings
from infra.local.workers import FunctionError
from infra.topology import QUEUES_BY_NAME, Function, Queue

logger = logging.getLogger("shopfloor.local.events")

FIRST_FIRING_SECONDS = 2.0
WAIT_TIME_SECONDS = 1  # long polling, short enough for a prompt stop
SUMMARY_SECONDS = 60.0  # a burst that goes on this long is summed up anyway
_RETRY_SECONDS = 1.0


class Invoker(Protocol):
    def invoke(self, event: dict[str, Any], request_id: str) -> Any: ...


def rule_arn(function: Function) -> str:
    rule = f"{resources.PREFIX}-{function.name}-schedule"
    return f"arn:aws:events:{resources.REGION}:{resources.ACCOUNT_ID}:rule/{rule}"


def scheduled_event(function: Function, now: datetime | None = None) -> dict[str, Any]:
    """The event EventBridge sends for a scheduled rule."""
    moment = now or datetime.now(UTC)
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": resources.ACCOUNT_ID,
        "time": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": resources.REGION,
        "resources": [rule_arn(function)],
        "detail": {},
    }


def sqs_event(messages: Iterable[Mapping[str, Any]], queue_arn: str) -> dict[str, Any]:
    """The event the SQS event source mapping sends for messages from ReceiveMessage."""
    records = []
    for message in messages:
        attributes = dict(message.get("Attributes", {}))
        records.append(
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": attributes,
                "messageAttributes": {
                    name: _message_attribute(value)
                    for name, value in message.get("MessageAttributes", {}).items()
                },
                "md5OfBody": message.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": resources.REGION,
            }
        )
    return {"Records": records}


def _message_attribute(value: Mapping[str, Any]) -> dict[str, Any]:
    # The event spells them in camelCase, where ReceiveMessage answers in PascalCase.
    return {
        "stringValue": value.get("StringValue"),
        "binaryValue": value.get("BinaryValue"),
        "stringListValues": value.get("StringListValues", []),
        "binaryListValues": value.get("BinaryListValues", []),
        "dataType": value.get("DataType"),
    }


def failed_message_ids(result: Any, message_ids: list[str]) -> set[str]:
    """The messages to retry, as Lambda reads a ReportBatchItemFailures response.

    None, {}, or a null or empty batchItemFailures: all succeeded. Something that is not an object,
    batchItemFailures that is not a list, or an itemIdentifier that is missing, empty or not one of
    the batch's messages: the whole batch failed.
    """
    everything = set(message_ids)
    if result is None:
        return set()
    if not isinstance(result, dict):
        return everything
    failures = result.get("batchItemFailures")
    if failures is None:
        return set()
    if not isinstance(failures, list):
        return everything
    failed: set[str] = set()
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not isinstance(identifier, str) or identifier not in everything:
            return everything
        failed.add(identifier)
    return failed


class BurstSummary:
    """Sums up a burst of batches of one event source as one log line, once it is over.

    `begin()` and `end(...)` around each batch; `quiet()` when the source found nothing new: if no
    batch is in flight, the burst is over and logged (also after SUMMARY_SECONDS of activity).
    """

    def __init__(self, source: str, function_name: str, unit: str, log: logging.Logger = logger) -> None:
        self._log_to = log
        self._source = source
        self._function_name = function_name
        self._unit = unit
        self._lock = threading.Lock()
        self._in_flight = 0
        self._started: float | None = None
        self._last_end = 0.0
        self._items = self._batches = self._failed = 0

    def begin(self) -> None:
        with self._lock:
            self._in_flight += 1
            if self._started is None:
                self._started = time.perf_counter()

    def end(self, items: int, failed: int) -> None:
        with self._lock:
            self._in_flight -= 1
            self._items += items
            self._failed += failed
            self._batches += 1
            self._last_end = time.perf_counter()
            due = self._started is not None and self._last_end - self._started >= SUMMARY_SECONDS
        if due:
            self._log()

    def quiet(self) -> None:
        with self._lock:
            over = self._in_flight == 0 and self._batches > 0
        if over:
            self._log()

    def _log(self) -> None:
        with self._lock:
            if not self._batches or self._started is None:
                return
            items, batches, failed = self._items, self._batches, self._failed
            seconds = self._last_end - self._started  # from the first batch's start to the last's end
            self._started = time.perf_counter() if self._in_flight else None
            self._items = self._batches = self._failed = 0
        self._log_to.log(
            logging.WARNING if failed else logging.INFO,
            "%s: %s %d %s in %d %s, %d failed, %.1f s",
            self._source,
            self._function_name,
            items,
            self._unit if items != 1 else self._unit.removesuffix("s"),
            batches,
            "batch" if batches == 1 else "batches",
            failed,
            seconds,
        )


class Schedule:
    """Invokes a function with a scheduled event every `interval` seconds, first after `first` seconds."""

    def __init__(self, function: Function, invoker: Invoker, interval: float, first: float) -> None:
        self._function = function
        self._invoker = invoker
        self._interval = interval
        self._first = first
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"schedule-{function.name}", daemon=True)
        self.firings = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(5)

    def _run(self) -> None:
        next_at = time.monotonic() + self._first
        while not self._stopping.wait(max(0.0, next_at - time.monotonic())):
            next_at += self._interval
            self.firings += 1
            # EventBridge does not wait for the last invocation: each firing gets its own thread.
            threading.Thread(target=self._fire, name=f"fire-{self._function.name}", daemon=True).start()

    def _fire(self) -> None:
        event = scheduled_event(self._function)
        started = time.perf_counter()
        try:
            result = self._invoker.invoke(event, str(uuid.uuid4()))
        except FunctionError as error:
            if not self._stopping.is_set():
                logger.error("schedule: %s failed: %s", self._function.name, error)
            return
        elapsed_ms = (time.perf_counter() - started) * 1000
        answer = key_values(result) if isinstance(result, dict) else repr(result)
        logger.info("schedule: %s %.0fms %s", self._function.name, elapsed_ms, answer)


class SqsPoller:
    """The SQS event source mapping of one function: receive, invoke, delete what succeeded."""

    def __init__(
        self,
        function: Function,
        queue: Queue,
        queue_url: str,
        invoker: Invoker,
        sqs: Any,
        *,
        on_batch: Callable[[list[str], set[str]], None] | None = None,
    ) -> None:
        self._function = function
        self._queue = queue
        self._queue_url = queue_url
        self._queue_arn = resources.queue_arn(queue_url.rsplit("/", 1)[-1])
        self._invoker = invoker
        self._sqs = sqs
        self._on_batch = on_batch
        self._slots = threading.BoundedSemaphore(queue.max_concurrency)
        self._summary = BurstSummary("sqs", function.name, "messages")
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"sqs-{function.name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(WAIT_TIME_SECONDS + 5)

    def _run(self) -> None:
        while not self._stopping.is_set():
            # A free slot first: received messages never wait for one, their visibility timeout running.
            if not self._slots.acquire(timeout=0.5):
                continue
            handed_over = False
            try:
                messages = self._receive()
                if messages:
                    name = f"batch-{self._function.name}"
                    self._summary.begin()
                    threading.Thread(target=self._process, args=(messages,), name=name, daemon=True).start()
                    handed_over = True
                else:
                    self._summary.quiet()
            except Exception:
                logger.exception("sqs: the poller of %s", self._function.name)
                self._stopping.wait(_RETRY_SECONDS)
            finally:
                if not handed_over:
                    self._slots.release()

    def _receive(self) -> list[dict[str, Any]]:
        try:
            response = self._sqs.receive_message(
                QueueUrl=self._queue_url,
                MaxNumberOfMessages=self._queue.batch_size,
                WaitTimeSeconds=WAIT_TIME_SECONDS,
                AttributeNames=["All"],
                MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"],
            )
        except (BotoCoreError, ClientError) as error:
            if not self._stopping.is_set():
                logger.warning("sqs: cannot receive from %s: %s", self._queue_url, error)
                self._stopping.wait(_RETRY_SECONDS)
            return []
        messages: list[dict[str, Any]] = response.get("Messages", [])
        return messages

    def _process(self, messages: list[dict[str, Any]]) -> None:
        ids = [message["MessageId"] for message in messages]
        failed: set[str] = set(ids)
        try:
            started = time.perf_counter()
            failed = self._invoke(messages, ids)
            elapsed_ms = (time.perf_counter() - started) * 1000
            logger.debug(
                "sqs: %s %d messages, %d failed %.0fms%s",
                self._function.name,
                len(ids),
                len(failed),
                elapsed_ms,
                " (retried after the visibility timeout)" if failed else "",
            )
            succeeded = [message for message in messages if message["MessageId"] not in failed]
            self._delete(succeeded)
            if self._on_batch is not None:
                self._on_batch(ids, failed)
        finally:
            self._summary.end(len(ids), len(failed))
            self._slots.release()

    def _invoke(self, messages: list[dict[str, Any]], ids: list[str]) -> set[str]:
        try:
            result = self._invoker.invoke(sqs_event(messages, self._queue_arn), str(uuid.uuid4()))
        except FunctionError as error:
            if not self._stopping.is_set():
                logger.error("sqs: %s failed, the whole batch is retried: %s", self._function.name, error)
            return set(ids)
        return failed_message_ids(result, ids)

    def _delete(self, messages: list[dict[str, Any]]) -> None:
        for start in range(0, len(messages), 10):
            chunk = messages[start : start + 10]
            entries = [
                {"Id": str(index), "ReceiptHandle": m["ReceiptHandle"]} for index, m in enumerate(chunk)
            ]
            try:
                response = self._sqs.delete_message_batch(QueueUrl=self._queue_url, Entries=entries)
            except (BotoCoreError, ClientError) as error:
                logger.warning("sqs: cannot delete from %s: %s", self._queue_url, error)
                continue
            for failure in response.get("Failed", []):
                logger.warning("sqs: cannot delete a message of %s: %s", self._queue_url, failure)


def schedule_interval(function: Function, settings: LocalSettings) -> float | None:
    """Seconds between firings locally; None when the function has no schedule or it is disabled."""
    if function.schedule_minutes is None:
        return None
    if settings.schedule_seconds is not None:
        return settings.schedule_seconds or None
    return function.schedule_minutes * 60.0


def start_event_sources(
    functions: Iterable[Function], invokers: Mapping[str, Invoker], settings: LocalSettings
) -> list[Schedule | SqsPoller]:
    """A schedule for each scheduled function and a poller for each consumer, started."""
    started: list[Schedule | SqsPoller] = []
    sqs = resources.client("sqs", settings)
    for function in functions:
        interval = schedule_interval(function, settings)
        if interval is not None:
            started.append(
                Schedule(function, invokers[function.name], interval, min(interval, FIRST_FIRING_SECONDS))
            )
        if function.consumes is not None:
            queue = QUEUES_BY_NAME[function.consumes]
            url = resources.queue_url(settings, resources.queue_name(queue))
            started.append(SqsPoller(function, queue, url, invokers[function.name], sqs))
    for source in started:
        source.start()
    return started
