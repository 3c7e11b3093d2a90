"""Binding pynamodb models to the physical tables a function is configured with."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar, cast

from pynamodb.connection import Connection
from pynamodb.exceptions import PynamoDBException, TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from shopfloor.platform import aws, coldstart
from shopfloor.platform.errors import UnavailableError

M = TypeVar("M", bound=Model)

CONDITIONAL_CHECK_FAILED = "ConditionalCheckFailedException"


def bind(model: type[M], table_name: str, *, fail_fast: bool = False) -> type[M]:
    """A subclass of `model` that reads and writes `table_name`.

    It shares the container's one DynamoDB client (platform/aws.py), or with `fail_fast` its client
    that tries once with short timeouts (from the same session: about 4 ms, not 100). The endpoint
    and region come from botocore's own configuration (AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB), so
    the same code talks to DynamoDB, DynamoDB Local or moto.
    """
    meta = type(
        "Meta",
        (),
        {
            "table_name": table_name,
            "connect_timeout_seconds": aws.DYNAMODB_CONNECT_TIMEOUT_SECONDS,
            "read_timeout_seconds": aws.DYNAMODB_READ_TIMEOUT_SECONDS,
        },
    )
    bound = cast(type[M], type(model.__name__, (model,), {"Meta": meta, "__module__": model.__module__}))
    shared = aws.client(aws.FAIL_FAST if fail_fast else "dynamodb")
    coldstart.share_client(bound._get_connection().connection, shared)
    return bound


def shared_connection() -> Connection:
    """A pynamodb Connection (for transactions) on the container's one DynamoDB client."""
    connection = Connection()
    share_client(connection)
    return connection


def share_client(connection: Connection) -> None:
    coldstart.share_client(connection, aws.client("dynamodb"))


def is_conditional_check_failure(error: PynamoDBException) -> bool:
    return error.cause_response_code == CONDITIONAL_CHECK_FAILED


TRANSACTION_CONFLICT = "TransactionConflict"
# Transactions on the same items at once conflict (DynamoDB cancels all but one of them with
# TransactionConflict); each retry waits a little longer, up to about 2.5 s in all.
MAX_TRANSACTION_ATTEMPTS = 8
TRANSACTION_BACKOFF_SECONDS = 0.02


class TransactionConflictError(UnavailableError):
    """A transaction kept conflicting with concurrent ones: the client may retry."""

    message = "Too many concurrent requests for the same resource; retry."
    retry_after = 1


def is_transaction_conflict(error: TransactWriteError) -> bool:
    return any(
        reason is not None and reason.code == TRANSACTION_CONFLICT
        for reason in error.cancellation_reasons or []
    )


def transact(connection: Connection, fill: Callable[[TransactWrite], None]) -> None:
    """One TransactWriteItems of what `fill` puts in it, tried again while it conflicts with concurrent
    transactions (jittered backoff); TransactionConflictError after MAX_TRANSACTION_ATTEMPTS. Any other
    cancellation (a condition that failed) is raised at once, for the caller to read."""
    for attempt in range(MAX_TRANSACTION_ATTEMPTS):
        try:
            with TransactWrite(connection=connection) as transaction:
                fill(transaction)
        except TransactWriteError as error:
            if not is_transaction_conflict(error):
                raise
            time.sleep(random.uniform(0, TRANSACTION_BACKOFF_SECONDS * 2**attempt))
            continue
        return
    raise TransactionConflictError()
