"""The local event sources with fake functions in a temp folder, against moto server: the SQS poller
behaves like the event source mapping (batches, partial batch failures, visibility timeout, DLQ,
maximum concurrency), and a schedule fires EventBridge scheduled events."""

from __future__ import annotations

import json
import os
import textwrap
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from infra.local import moto_server, resources
from infra.local.environment import LAYER_PYTHON_DIR, worker_environment
from infra.local.event_sources import Schedule, SqsPoller
from infra.local.settings import LocalSettings
from infra.local.workers import WorkerPool, WorkerSpec
from infra.topology import OPERATIONS_CONTEXT, Function, Queue
from tests.integration.cloud import free_ports

pytestmark = pytest.mark.integration

VISIBILITY_SECONDS = 1
MAX_RECEIVES = 2

# Each invocation appends one JSON line to $RECORD_FILE: what it got, when it started and ended.
FAKE_HANDLER = textwrap.dedent(
    """
    import json, os, time

    def lambda_handler(event, context):
        started = time.time()
        records = event.get("Records", [])
        outcomes = [json.loads(record["body"]) for record in records]
        for outcome in outcomes:
            time.sleep(outcome.get("sleep", 0))
        entry = {"started": started, "ended": time.time(), "event": event, "pid": os.getpid()}
        with open(os.environ["RECORD_FILE"], "a") as record_file:
            record_file.write(json.dumps(entry) + "\\n")
        if any(outcome.get("do") == "raise" for outcome in outcomes):
            raise RuntimeError("the whole batch fails")
        if any(outcome.get("do") == "garbage" for outcome in outcomes):
            return "not a batch response"
        failed = [r["messageId"] for r, o in zip(records, outcomes) if o.get("do") == "fail"]
        return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}
    """
)


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalSettings]:
    moto_port, closed = free_ports(2)
    data_dir = tmp_path_factory.mktemp("events")
    local = LocalSettings(
        moto_port=moto_port,
        dynamodb_port=closed,
        api_port=closed,
        offers_port=closed,
        data_dir=data_dir,
        log_level="WARNING",
        visibility_timeout_seconds=VISIBILITY_SECONDS,
    )
    child = moto_server.start(local)
    try:
        moto_server.wait(child, local)
        yield local
    finally:
        child.stop()


class Harness:
    def __init__(self, settings: LocalSettings, code_dir: Path, queue: Queue) -> None:
        self.settings = settings
        self.queue = queue
        self.records = code_dir / "records.jsonl"
        self.records.touch()
        self.sqs = resources.client("sqs", settings)
        dlq = f"{resources.queue_name(queue)}-dlq"
        self.url = resources.create_queue(self.sqs, queue, settings, dead_letter_name=dlq)
        self.dlq_url = resources.queue_url(settings, dlq)
        function = Function(
            name="fake-consumer", description="fake", context=OPERATIONS_CONTEXT, consumes=queue.name
        )
        environment = {
            **worker_environment(function, settings),
            "PYTHONPATH": os.pathsep.join([str(code_dir), str(LAYER_PYTHON_DIR)]),
            "RECORD_FILE": str(self.records),
        }
        spec = WorkerSpec(function.name, environment, code_dir, 10)
        self.pool = WorkerPool(spec, 4)  # more workers than the queue's max concurrency
        self.poller = SqsPoller(function, queue, self.url, self.pool, self.sqs)

    def send(self, *outcomes: dict[str, Any]) -> list[str]:
        return [
            self.sqs.send_message(QueueUrl=self.url, MessageBody=json.dumps({**outcome, "n": index}))[
                "MessageId"
            ]
            for index, outcome in enumerate(outcomes)
        ]

    def invocations(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.records.read_text().splitlines()]

    def deliveries(self) -> dict[str, int]:
        """How many times each message reached the function."""
        counts: dict[str, int] = {}
        for invocation in self.invocations():
            for record in invocation["event"]["Records"]:
                counts[record["messageId"]] = counts.get(record["messageId"], 0) + 1
        return counts

    def dead_letters(self) -> dict[str, dict[str, Any]]:
        response = self.sqs.receive_message(
            QueueUrl=self.dlq_url, MaxNumberOfMessages=10, AttributeNames=["All"], VisibilityTimeout=0
        )
        return {message["MessageId"]: message for message in response.get("Messages", [])}

    def counts(self) -> tuple[int, int]:
        names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        attributes = self.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=names)["Attributes"]
        return int(attributes[names[0]]), int(attributes[names[1]])


@pytest.fixture
def harness(
    settings: LocalSettings, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Harness]]:
    made: list[Harness] = []

    def make(**queue_options: Any) -> Harness:
        (tmp_path / "handler.py").write_text(FAKE_HANDLER)
        name = f"fake-{uuid.uuid4().hex[:8]}"
        options = {"batch_size": 5, "max_concurrency": 2, "max_receive_count": MAX_RECEIVES, **queue_options}
        made.append(Harness(settings, tmp_path, Queue(name=name, **options)))
        return made[-1]

    yield make
    for made_harness in made:
        made_harness.poller.stop()
        made_harness.pool.close()


def wait_for(condition: Callable[[], bool], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_partial_batch_failure_retries_only_the_failed_message_until_the_dlq(
    harness: Callable[..., Harness],
) -> None:
    fake = harness()
    ok_1, failing, ok_2 = fake.send({"do": "ok"}, {"do": "fail"}, {"do": "ok"})

    fake.poller.start()
    wait_for(lambda: failing in fake.dead_letters())

    deliveries = fake.deliveries()
    assert deliveries[ok_1] == deliveries[ok_2] == 1  # deleted after their first, successful delivery
    assert deliveries[failing] == MAX_RECEIVES
    assert fake.counts() == (0, 0)
    dead = fake.dead_letters()
    assert set(dead) == {failing}
    assert int(dead[failing]["Attributes"]["ApproximateReceiveCount"]) >= MAX_RECEIVES
    # The retry came after the visibility timeout, not at once. The timeout runs from the receive,
    # and the first invocation may start a little after it (a worker starting): half is the margin.
    starts = sorted(
        invocation["started"]
        for invocation in fake.invocations()
        if failing in {record["messageId"] for record in invocation["event"]["Records"]}
    )
    assert starts[1] - starts[0] >= VISIBILITY_SECONDS * 0.5


@pytest.mark.parametrize("failure", ["raise", "garbage"])
def test_a_failed_invocation_or_a_garbage_answer_retries_the_whole_batch(
    harness: Callable[..., Harness], failure: str
) -> None:
    fake = harness()
    ids = fake.send({"do": "ok"}, {"do": failure})

    fake.poller.start()
    wait_for(lambda: set(ids) <= set(fake.dead_letters()))

    assert fake.deliveries() == dict.fromkeys(ids, MAX_RECEIVES)


def test_the_event_is_the_sqs_event_source_mappings(harness: Callable[..., Harness]) -> None:
    fake = harness()
    (message_id,) = fake.send({"do": "ok"})

    fake.poller.start()
    wait_for(lambda: bool(fake.invocations()))

    (record,) = fake.invocations()[0]["event"]["Records"]
    assert record["messageId"] == message_id
    assert record["receiptHandle"]
    assert json.loads(record["body"]) == {"do": "ok", "n": 0}
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert {"SentTimestamp", "ApproximateFirstReceiveTimestamp"} <= set(record["attributes"])
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == resources.queue_arn(fake.url.rsplit("/", 1)[-1])
    assert record["awsRegion"] == "us-east-1"
    assert record["md5OfBody"]
    assert record["messageAttributes"] == {}


def test_batches_follow_the_batch_size_and_concurrency_stays_bounded(harness: Callable[..., Harness]) -> None:
    fake = harness(batch_size=2, max_concurrency=2)
    ids = fake.send(*[{"do": "ok", "sleep": 0.3}] * 12)

    fake.poller.start()
    wait_for(lambda: len(fake.deliveries()) == len(ids))

    invocations = fake.invocations()
    assert all(len(invocation["event"]["Records"]) <= 2 for invocation in invocations)
    assert fake.deliveries() == dict.fromkeys(ids, 1)
    events = sorted([(i["started"], 1) for i in invocations] + [(i["ended"], -1) for i in invocations])
    running = peak = 0
    for _, step in events:
        running += step
        peak = max(peak, running)
    assert peak == 2  # reached, never exceeded, though the pool has 4 workers


def test_the_schedule_fires_scheduled_events(settings: LocalSettings) -> None:
    fired: list[dict[str, Any]] = []

    class Recorder:
        def invoke(self, event: dict[str, Any], request_id: str) -> Any:
            fired.append(event)
            return None

    function = Function(name="fake-cron", description="fake", context=OPERATIONS_CONTEXT, schedule_minutes=1)
    schedule = Schedule(function, Recorder(), interval=0.3, first=0.1)
    started = time.monotonic()
    schedule.start()
    wait_for(lambda: len(fired) >= 3, timeout=5)
    schedule.stop()

    assert time.monotonic() - started < 2
    event = fired[0]
    assert event["detail-type"] == "Scheduled Event"
    assert event["source"] == "aws.events"
    assert event["detail"] == {}
    assert event["resources"] == ["arn:aws:events:us-east-1:123456789012:rule/shopfloor-fake-cron-schedule"]
    assert event["time"].endswith("Z")
    assert len({event["id"] for event in fired}) == len(fired)
