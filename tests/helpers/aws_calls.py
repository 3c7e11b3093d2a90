"""Counting the AWS API calls a piece of code makes, with botocore's own event hooks."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from botocore.handlers import BUILTIN_HANDLERS

from shopfloor.platform import aws

DYNAMODB_WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})


@contextmanager
def counting_aws_calls() -> Iterator[Counter[str]]:
    """Counts `service.Operation`, e.g. calls["dynamodb.GetItem"], for the container's shared
    session and clients (shopfloor.platform.aws) and every client created inside the block
    (botocore gives each new session its built-in handlers; a client copies its session's)."""
    calls: Counter[str] = Counter()

    def count(model: Any, **_: Any) -> None:
        calls[f"{model.service_model.endpoint_prefix}.{model.name}"] += 1

    handler = ("before-call.*.*", count)
    shared = [client.meta.events for client in aws.existing_clients()]
    session = aws.existing_session()
    if session is not None:
        shared.append(session.get_component("event_emitter"))
    BUILTIN_HANDLERS.append(handler)
    for events in shared:
        events.register(*handler)
    try:
        yield calls
    finally:
        BUILTIN_HANDLERS.remove(handler)
        for events in shared:
            events.unregister(*handler)


def dynamodb_writes(calls: Counter[str]) -> int:
    return sum(
        count
        for name, count in calls.items()
        if name.split(".")[-1] in DYNAMODB_WRITES and name.startswith("dynamodb.")
    )
