"""Binding pynamodb models to the physical tables a function is configured with."""

from __future__ import annotations

from typing import TypeVar

from pynamodb.exceptions import PynamoDBException
from pynamodb.models import Model

M = TypeVar("M", bound=Model)

CONDITIONAL_CHECK_FAILED = "ConditionalCheckFailedException"

# Request paths answer quickly or fail: a client waits on them.
CONNECT_TIMEOUT_SECONDS = 2.0
READ_TIMEOUT_SECONDS = 5.0


def bind(model: type[M], table_name: str, *, max_retry_attempts: int = 3) -> type[M]:
    """A subclass of `model` that reads and writes `table_name`.

    The endpoint and region come from botocore's own configuration (AWS_REGION,
    AWS_ENDPOINT_URL_DYNAMODB), so the same code talks to DynamoDB, DynamoDB Local or moto.
    """
    meta = type(
        "Meta",
        (),
        {
            "table_name": table_name,
            "connect_timeout_seconds": CONNECT_TIMEOUT_SECONDS,
            "read_timeout_seconds": READ_TIMEOUT_SECONDS,
            "max_retry_attempts": max_retry_attempts,
        },
    )
    return type(model.__name__, (model,), {"Meta": meta, "__module__": model.__module__})


def is_conditional_check_failure(error: PynamoDBException) -> bool:
    return error.cause_response_code == CONDITIONAL_CHECK_FAILED
