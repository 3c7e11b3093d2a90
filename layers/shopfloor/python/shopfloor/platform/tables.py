"""Binding pynamodb models to the physical tables a function is configured with."""

from __future__ import annotations

from typing import TypeVar, cast

from pynamodb.connection import Connection
from pynamodb.exceptions import PynamoDBException
from pynamodb.models import Model

from shopfloor.platform import aws, coldstart

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
