"""Counting the AWS API calls a piece of code makes, with botocore's own event hooks."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from botocore.handlers import BUILTIN_HANDLERS

DYNAMODB_WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})


@contextmanager
def counting_aws_calls() -> Iterator[Counter[str]]:
    """Counts `service.Operation` for every client created inside the block (botocore adds its
    built-in handlers to each new session), e.g. calls["dynamodb.GetItem"]."""
    calls: Counter[str] = Counter()

    def count(model: Any, **_: Any) -> None:
        calls[f"{model.service_model.endpoint_prefix}.{model.name}"] += 1

    handler = ("before-call.*.*", count)
    BUILTIN_HANDLERS.append(handler)
    try:
        yield calls
    finally:
        BUILTIN_HANDLERS.remove(handler)


def dynamodb_writes(calls: Counter[str]) -> int:
    return sum(
        count
        for name, count in calls.items()
        if name.split(".")[-1] in DYNAMODB_WRITES and name.startswith("dynamodb.")
    )
