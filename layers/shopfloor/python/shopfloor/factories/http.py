"""What the factories' and sprockets' routes share: the Idempotency-Key header and 201 answers."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Annotated, Any, TypeVar

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Header
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from shopfloor.factories.idempotency import HEADER, MAX_KEY_LENGTH, Created, KeyReusedError
from shopfloor.platform.http import json_response, resource_url

T = TypeVar("T")

REPLAYED_HEADER = "Idempotent-Replayed"
KEY_REUSED = "already used for a different request"

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias=HEADER,
        min_length=1,
        max_length=MAX_KEY_LENGTH,
        pattern=r"^[\x20-\x7e]+$",
        description="Makes a retried POST safe: a repeat with the same key and body answers what the "
        "first created and creates nothing; the same key with another body is 422.",
    ),
]


def replay_or_create(create: Callable[[str | None], Created[T]], idempotency_key: str | None) -> Created[T]:
    try:
        return create(idempotency_key)
    except KeyReusedError as error:
        # Answered like any invalid input: 422 {"message": ["Idempotency-Key: ..."]}.
        # Named as Powertools names a header's other problems: in lower case.
        problem = {"loc": ("header", HEADER.lower()), "msg": KEY_REUSED, "type": "idempotency_key_reused"}
        raise RequestValidationError([problem]) from error


def created_response(
    event: APIGatewayProxyEvent, path: str, body: dict[str, Any], replayed: bool
) -> Response[Any]:
    headers = {"Location": resource_url(event, path)}
    if replayed:
        headers[REPLAYED_HEADER] = "true"
    return json_response(HTTPStatus.CREATED, body, headers)
