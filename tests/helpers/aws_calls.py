"""Counting the AWS API calls a piece of code makes, and metering what they consume, with
botocore's own event hooks."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from botocore.handlers import BUILTIN_HANDLERS

from shopfloor.platform import aws

DYNAMODB_WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})
DYNAMODB_READS = frozenset({"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"})
# DynamoDB's conditional writes refused: the write still consumes capacity, but the error carries
# no ConsumedCapacity.
REFUSED_WRITE_ERRORS = frozenset({"ConditionalCheckFailedException", "TransactionCanceledException"})
_PARAMS = "shopfloor_metered_params"
Handler = tuple[str, Any]


@contextmanager
def counting_aws_calls() -> Iterator[Counter[str]]:
    """Counts `service.Operation`, e.g. calls["dynamodb.GetItem"], for the container's shared
    session and clients (shopfloor.platform.aws) and every client created inside the block
    (botocore gives each new session its built-in handlers; a client copies its session's)."""
    calls: Counter[str] = Counter()
    with _hooked(("before-call.*.*", _counter(calls))):
        yield calls


def _counter(calls: Counter[str]) -> Callable[..., None]:
    """A before-call hook that counts each call as `service.Operation` in `calls`."""

    def count(model: Any, **_: Any) -> None:
        calls[f"{model.service_model.endpoint_prefix}.{model.name}"] += 1

    return count


@dataclass
class Usage:
    """What the calls made inside `metering_aws_calls` consumed, as AWS bills it."""

    calls: Counter[str] = field(default_factory=Counter)
    # DynamoDB request units: ConsumedCapacity of the responses (ReturnConsumedCapacity=TOTAL,
    # table and indexes), plus the refused writes' units computed from item sizes.
    read_units: float = 0.0
    write_units: float = 0.0
    # The part of write_units computed, not returned: refused conditional writes.
    computed_write_units: float = 0.0
    # Entries, not calls: a batch of 10 messages is 10 messages.
    sqs_messages: int = 0
    events: int = 0
    emails: int = 0


@contextmanager
def metering_aws_calls() -> Iterator[Usage]:
    """Like counting_aws_calls, and also asks DynamoDB for the capacity each operation consumed
    (ReturnConsumedCapacity=TOTAL on every operation that takes it) and counts the SQS messages,
    EventBridge events and SES e-mails sent."""
    usage = Usage()

    def ask_capacity(params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        if model.service_model.endpoint_prefix != "dynamodb":
            return
        if model.name in DYNAMODB_READS | DYNAMODB_WRITES:
            if params.get("ReturnConsumedCapacity") in (None, "NONE"):
                params["ReturnConsumedCapacity"] = "TOTAL"
            context[_PARAMS] = params

    def meter(
        http_response: Any, parsed: dict[str, Any], model: Any, context: dict[str, Any], **_: Any
    ) -> None:
        service, operation = model.service_model.endpoint_prefix, model.name
        succeeded = http_response.status_code < 300
        if service == "dynamodb":
            _meter_dynamodb(usage, operation, parsed, context.get(_PARAMS, {}))
        elif not succeeded:
            return
        elif (service, operation) == ("sqs", "SendMessage"):
            usage.sqs_messages += 1
        elif (service, operation) == ("sqs", "SendMessageBatch"):
            usage.sqs_messages += len(parsed.get("Successful", []))
        elif (service, operation) == ("events", "PutEvents"):
            usage.events += len(parsed.get("Entries", [])) - int(parsed.get("FailedEntryCount", 0))
        elif (service, operation) == ("email", "SendEmail"):
            usage.emails += 1

    with _hooked(
        ("before-call.*.*", _counter(usage.calls)),
        ("before-parameter-build.*.*", ask_capacity),
        ("after-call.*.*", meter),
    ):
        yield usage


def _meter_dynamodb(
    usage: Usage, operation: str, parsed: Mapping[str, Any], params: Mapping[str, Any]
) -> None:
    consumed = parsed.get("ConsumedCapacity")
    if consumed is not None:
        entries = consumed if isinstance(consumed, list) else [consumed]
        units = sum(float(entry.get("CapacityUnits", 0)) for entry in entries)
        if operation in DYNAMODB_READS:
            usage.read_units += units
        else:
            usage.write_units += units
        return
    if parsed.get("Error", {}).get("Code") in REFUSED_WRITE_ERRORS:
        units = refused_write_units(operation, parsed, params)
        usage.write_units += units
        usage.computed_write_units += units


def refused_write_units(operation: str, parsed: Mapping[str, Any], params: Mapping[str, Any]) -> float:
    """The write units of a refused conditional write, which DynamoDB bills though its error
    carries no ConsumedCapacity (DynamoDB Local's neither): as the Developer Guide says, a failed
    conditional write consumes the units of the item's size (1 KB each, at least 1); the size is
    the existing item's when the error returns it, else the item the request wrote. A cancelled
    transaction: each of its items so, twice over (a transactional write is two)."""
    if operation != "TransactWriteItems":
        return write_units(parsed.get("Item") or params.get("Item"))
    reasons = parsed.get("CancellationReasons") or []
    units = 0.0
    for position, action in enumerate(params.get("TransactItems", [])):
        returned = reasons[position].get("Item") if position < len(reasons) else None
        written = action.get("Put", {}).get("Item")
        units += 2 * write_units(returned or written)
    return units


def write_units(item: Mapping[str, Any] | None) -> float:
    """1 write unit per KB of the item (rounded up), at least 1."""
    return float(max(1, math.ceil(item_size(item or {}) / 1024)))


def item_size(item: Mapping[str, Any]) -> int:
    """An item's size as DynamoDB counts it (Developer Guide, "Item sizes and formats"): each
    attribute's name and value in bytes."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _value_size(value: Mapping[str, Any]) -> int:
    kind, content = next(iter(value.items()))
    return _SIZES[kind](content)


def _bytes_size(content: Any) -> int:
    return len(content if isinstance(content, bytes) else str(content).encode())


_SIZES: dict[str, Callable[[Any], int]] = {
    "S": _bytes_size,
    "B": _bytes_size,
    "N": lambda content: _number_size(str(content)),
    "BOOL": lambda _: 1,
    "NULL": lambda _: 1,
    "SS": lambda content: sum(_bytes_size(element) for element in content),
    "BS": lambda content: sum(_bytes_size(element) for element in content),
    "NS": lambda content: sum(_number_size(str(element)) for element in content),
    # A list or a map: 3 bytes, and 1 byte per element besides its size (and a map's names).
    "L": lambda content: 3 + sum(1 + _value_size(element) for element in content),
    "M": lambda content: (
        3 + sum(1 + len(name.encode()) + _value_size(element) for name, element in content.items())
    ),
}


def _number_size(text: str) -> int:
    """About 1 byte per two significant digits, plus 1."""
    digits = Decimal(text).normalize().as_tuple().digits
    return 1 + math.ceil(len(digits) / 2)


def dynamodb_writes(calls: Counter[str]) -> int:
    return sum(
        count
        for name, count in calls.items()
        if name.split(".")[-1] in DYNAMODB_WRITES and name.startswith("dynamodb.")
    )


@contextmanager
def _hooked(*handlers: Handler) -> Iterator[None]:
    """`handlers` on the container's shared session and clients (shopfloor.platform.aws), and on
    every session and client created inside the block; off them all again after it (the
    container's session and clients created inside the block included)."""
    before = _shared_emitters()
    for handler in handlers:
        BUILTIN_HANDLERS.append(handler)
        for events in before:
            events.register(*handler)
    try:
        yield
    finally:
        after = _shared_emitters()
        for handler in handlers:
            BUILTIN_HANDLERS.remove(handler)
            for events in {id(events): events for events in before + after}.values():
                events.unregister(*handler)


def _shared_emitters() -> list[Any]:
    emitters = [client.meta.events for client in aws.existing_clients()]
    session = aws.existing_session()
    if session is not None:
        emitters.append(session.get_component("event_emitter"))
    return emitters
