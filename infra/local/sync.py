"""`make sync`: one full offers sync cycle, now, against the running local cloud; prints what changed.

It snapshots the offers table, invokes the scheduled dispatcher once (a worker of its own, with the
local environment), and runs the queue's consumer until every message is done, then snapshots again
and prints each product's inserted, updated and deleted offers, and the totals.

The dispatcher sends to a private copy of the queue (same settings, same dead-letter queue), which
only this tool consumes: the running cloud's poller never sees these messages, so nothing is
processed twice and the tool knows when its cycle is over. A failed message is retried at once (not
after the visibility timeout) until the queue's max receive count, then it goes to the DLQ.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
import uuid
from collections.abc import Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from typing import Any

from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import BotoCoreError, ClientError

from infra.build import function_code_dir
from infra.dynamodb import local_table_names
from infra.local import dynamodb_local, resources
from infra.local.environment import worker_environment
from infra.local.errors import LocalCloudError
from infra.local.event_sources import failed_message_ids, scheduled_event, sqs_event
from infra.local.settings import LocalSettings
from infra.local.workers import FunctionError, WorkerPool, WorkerSpec
from infra.topology import FUNCTIONS, QUEUES_BY_NAME, TABLES_BY_NAME, Function, Queue

OFFERS_TABLE = TABLES_BY_NAME["offers"]
RETRY_VISIBILITY_SECONDS = 1
DRAIN_TIMEOUT_SECONDS = 600.0
Snapshot = dict[Any, dict[str, dict[str, Any]]]  # product id -> offer id -> the offer's other attributes


@dataclass
class Drained:
    messages: int = 0
    batches: int = 0
    failed_bodies: dict[str, str] = field(default_factory=dict)  # message id -> body, last attempt failed
    seconds: float = 0.0


@dataclass
class Changes:
    inserted: dict[str, dict[str, Any]] = field(default_factory=dict)
    updated: dict[str, tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=dict)
    deleted: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.inserted or self.updated or self.deleted)


def main() -> int:
    try:
        settings = _settings()
        dispatcher, queue, consumer = sync_functions()
        _ensure_running(settings)
        before = snapshot(settings)
        dispatched, drained = run_cycle(settings, dispatcher, queue, consumer)
        after = snapshot(settings)
    except LocalCloudError as error:
        print(f"error: {error}", file=sys.stderr, flush=True)
        return 1
    print(
        report(
            before,
            after,
            dispatcher=dispatcher,
            consumer=consumer,
            queue=queue,
            dispatched=dispatched,
            drained=drained,
        ),
        flush=True,
    )
    return 1 if drained.failed_bodies else 0


def _settings() -> LocalSettings:
    settings = LocalSettings.from_environ()
    if "SHOPFLOOR_LOG_LEVEL" not in os.environ:
        settings = replace(settings, log_level="WARNING")  # the functions' logs would bury the report
    return settings


def sync_functions(functions: tuple[Function, ...] = FUNCTIONS) -> tuple[Function, Queue, Function]:
    """The scheduled function that sends to a queue, that queue, and the queue's consumer."""
    for dispatcher in functions:
        if dispatcher.schedule_minutes is None:
            continue
        for queue_name in dispatcher.sends_to:
            consumer = next((f for f in functions if f.consumes == queue_name), None)
            if consumer is not None:
                return dispatcher, QUEUES_BY_NAME[queue_name], consumer
    raise LocalCloudError("the topology has no scheduled function that sends to a consumed queue")


def _ensure_running(settings: LocalSettings) -> None:
    where = settings.dynamodb_url
    try:
        dynamodb_local.client(settings).describe_table(TableName=local_table_names()[OFFERS_TABLE.name])
        where = settings.moto_url
        sqs = resources.client("sqs", settings)
        for queue in QUEUES_BY_NAME.values():
            sqs.get_queue_url(QueueName=resources.dlq_name(queue))
    except (BotoCoreError, ClientError) as error:
        raise LocalCloudError(
            f"the local cloud is not running (no answer from {where}: {_first_line(error)}); "
            "start it with `make run`"
        ) from error


def snapshot(settings: LocalSettings) -> Snapshot:
    """Every offer in the offers table, by product and offer (a Scan: fine for a local tool)."""
    client = dynamodb_local.client(settings)
    deserializer = TypeDeserializer()
    keys = [OFFERS_TABLE.partition_key.name] + ([OFFERS_TABLE.sort_key.name] if OFFERS_TABLE.sort_key else [])
    found: Snapshot = {}
    request: dict[str, Any] = {"TableName": local_table_names()[OFFERS_TABLE.name]}
    try:
        while True:
            page = client.scan(**request)
            for raw in page.get("Items", []):
                item = {name: deserializer.deserialize(value) for name, value in raw.items()}
                product = _plain(item.get(keys[0]))
                held = found.setdefault(product, {})
                if isinstance(item.get("offers"), dict):  # all of a product's offers in one item
                    held.update(
                        {
                            str(offer): {k: _plain(v) for k, v in values.items()}
                            for offer, values in item["offers"].items()
                        }
                    )
                else:
                    held[str(item.get(keys[-1]))] = {k: _plain(v) for k, v in item.items() if k not in keys}
            if "LastEvaluatedKey" not in page:
                return found
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    except (BotoCoreError, ClientError) as error:
        raise LocalCloudError(f"cannot read the offers table: {_first_line(error)}") from error


def _plain(value: Any) -> Any:
    """DynamoDB numbers as int where they are whole."""
    if hasattr(value, "as_integer_ratio") and not isinstance(value, bool | float):
        return int(value) if value == int(value) else float(value)
    return value


def run_cycle(
    settings: LocalSettings, dispatcher: Function, queue: Queue, consumer: Function
) -> tuple[Any, Drained]:
    """Dispatch once into a private copy of the queue, then drain it with the consumer."""
    sqs = resources.client("sqs", settings)
    private = f"{resources.queue_name(queue)}-manual-{uuid.uuid4().hex[:8]}"
    try:
        url = resources.create_queue(
            sqs, queue, replace(settings, visibility_timeout_seconds=None), name=private
        )
    except (BotoCoreError, ClientError) as error:
        raise LocalCloudError(f"cannot create a queue in moto server: {_first_line(error)}") from error
    try:
        dispatch_env = {**worker_environment(dispatcher, settings), queue.env_var: url}
        with _Pool(dispatcher, dispatch_env, 1, settings.log_format) as pool:
            try:
                dispatched = pool.invoke(scheduled_event(dispatcher), str(uuid.uuid4()))
            except FunctionError as error:
                raise LocalCloudError(f"{dispatcher.name} failed: {error}") from error
        consumer_env = worker_environment(consumer, settings)
        with _Pool(consumer, consumer_env, queue.max_concurrency, settings.log_format) as pool:
            drained = drain(sqs, url, queue, consumer, pool)
    finally:
        with contextlib.suppress(BotoCoreError, ClientError):
            sqs.delete_queue(QueueUrl=url)
    return dispatched, drained


class _Pool:
    def __init__(
        self, function: Function, environment: Mapping[str, str], concurrency: int, log_format: str
    ) -> None:
        code_dir = function_code_dir(function)
        spec = WorkerSpec(function.name, environment, code_dir, function.timeout_seconds, log_format)
        self._pool = WorkerPool(spec, concurrency)

    def __enter__(self) -> WorkerPool:
        return self._pool

    def __exit__(self, *exc_info: object) -> None:
        self._pool.close()


def drain(sqs: Any, url: str, queue: Queue, consumer: Function, pool: WorkerPool) -> Drained:
    """Run the consumer on the queue's batches, max_concurrency at once, until the queue is empty."""
    started = time.monotonic()
    drained = Drained()
    arn = resources.queue_arn(url.rsplit("/", 1)[-1])
    seen: set[str] = set()
    running: set[Future[None]] = set()

    def process(messages: list[dict[str, Any]]) -> None:
        ids = [message["MessageId"] for message in messages]
        try:
            failed = failed_message_ids(pool.invoke(sqs_event(messages, arn), str(uuid.uuid4())), ids)
        except FunctionError as error:
            print(f"warning: {consumer.name} failed, its batch is retried: {error}", file=sys.stderr)
            failed = set(ids)
        done = [m for m in messages if m["MessageId"] not in failed]
        for start in range(0, len(done), 10):
            entries = [
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                for i, m in enumerate(done[start : start + 10])
            ]
            sqs.delete_message_batch(QueueUrl=url, Entries=entries)
        for message in messages:
            if message["MessageId"] in failed:
                drained.failed_bodies[message["MessageId"]] = message["Body"]
                sqs.change_message_visibility(
                    QueueUrl=url,
                    ReceiptHandle=message["ReceiptHandle"],
                    VisibilityTimeout=RETRY_VISIBILITY_SECONDS,
                )
            else:
                drained.failed_bodies.pop(message["MessageId"], None)

    with ThreadPoolExecutor(queue.max_concurrency) as executor:
        while True:
            if time.monotonic() - started > DRAIN_TIMEOUT_SECONDS:
                raise LocalCloudError(f"the queue was not drained within {DRAIN_TIMEOUT_SECONDS:.0f} s")
            messages: list[dict[str, Any]] = []
            if len(running) < queue.max_concurrency:
                messages = sqs.receive_message(
                    QueueUrl=url,
                    MaxNumberOfMessages=queue.batch_size,
                    WaitTimeSeconds=0,
                    AttributeNames=["All"],
                    MessageSystemAttributeNames=["All"],
                    MessageAttributeNames=["All"],
                ).get("Messages", [])
            if messages:
                seen.update(message["MessageId"] for message in messages)
                drained.batches += 1
                running.add(executor.submit(process, messages))
                continue
            if running:
                finished, _ = wait(running, timeout=0.2, return_when=FIRST_COMPLETED)
                for future in finished:
                    running.discard(future)
                    future.result()
                continue
            if _queue_is_empty(sqs, url):
                break
            time.sleep(0.2)  # failed messages, waiting to be visible again (or to go to the DLQ)
    drained.messages = len(seen)
    drained.seconds = time.monotonic() - started
    return drained


def _queue_is_empty(sqs: Any, url: str) -> bool:
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return all(int(attributes.get(name, "0")) == 0 for name in names)


def diff(before: Snapshot, after: Snapshot) -> dict[Any, Changes]:
    """Each product's changed offers (products without a change are left out)."""
    changes: dict[Any, Changes] = {}
    for product in sorted(set(before) | set(after), key=lambda key: (str(type(key)), key)):
        old, new = before.get(product, {}), after.get(product, {})
        change = Changes(
            inserted={offer: new[offer] for offer in new.keys() - old.keys()},
            updated={
                offer: (old[offer], new[offer])
                for offer in new.keys() & old.keys()
                if old[offer] != new[offer]
            },
            deleted={offer: old[offer] for offer in old.keys() - new.keys()},
        )
        if change:
            changes[product] = change
    return changes


def report(
    before: Snapshot,
    after: Snapshot,
    *,
    dispatcher: Function,
    consumer: Function,
    queue: Queue,
    dispatched: Any,
    drained: Drained,
) -> str:
    changes = diff(before, after)
    lines = [
        f"{dispatcher.name}: {json.dumps(dispatched)}",
        f"{consumer.name}: {drained.messages} messages in {drained.batches} batches, "
        f"{len(drained.failed_bodies)} failed, {drained.seconds:.1f} s",
    ]
    for product, change in changes.items():
        lines.append(
            f"product {product}: {len(change.inserted)} inserted, {len(change.updated)} updated, "
            f"{len(change.deleted)} deleted"
        )
        lines += [f"  + {offer} {_describe(values)}" for offer, values in sorted(change.inserted.items())]
        lines += [
            f"  ~ {offer} {_describe_update(*values)}" for offer, values in sorted(change.updated.items())
        ]
        lines += [
            f"  - {offer} (was {_describe(values)})" for offer, values in sorted(change.deleted.items())
        ]
    totals = [
        sum(len(getattr(change, kind)) for change in changes.values())
        for kind in ("inserted", "updated", "deleted")
    ]
    products = len(set(before) | set(after))
    lines.append(
        f"total: {len(changes)} of {products} products changed; "
        f"{totals[0]} inserted, {totals[1]} updated, {totals[2]} deleted"
    )
    if drained.failed_bodies:
        lines.append(
            f"{len(drained.failed_bodies)} messages failed {queue.max_receive_count} times and went to "
            f"{resources.dlq_name(queue)}: " + ", ".join(sorted(drained.failed_bodies.values()))
        )
    return "\n".join(lines)


def _describe(values: Mapping[str, Any]) -> str:
    shown = {name: values[name] for name in ("price", "items_in_stock") if name in values} or dict(values)
    return ", ".join(f"{name} {value}" for name, value in shown.items())


def _describe_update(old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    changed = [name for name in sorted(set(old) | set(new)) if old.get(name) != new.get(name)]
    changed = [name for name in changed if name in {"price", "items_in_stock"}] or changed
    return ", ".join(f"{name} {old.get(name)} -> {new.get(name)}" for name in changed)


def _first_line(error: BaseException) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__


if __name__ == "__main__":
    sys.exit(main())
