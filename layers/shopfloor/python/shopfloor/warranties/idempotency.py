"""`Idempotency-Key` for POST /warranties: Powertools idempotency on the idempotency table.

A replay of a key returns the first response (stored with the record) and creates nothing; the
same key with another body, or while its first request is still running, is refused. Powertools'
idempotency package (and boto3, which it imports) is loaded by the first request that carries a
key: a container that only serves requests without one never loads it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from shopfloor.warranties.errors import IdempotencyKeyReusedError, RequestInProgressError
from shopfloor.warranties.schemas import WarrantyIn
from shopfloor.warranties.service import WarrantyService

Create = Callable[[str, str, WarrantyIn, Any], dict[str, Any]]


class IdempotentCreate:
    """create(key, raw body, warranty, Lambda context) -> the warranty's JSON, at most once per key."""

    def __init__(self, service: WarrantyService, table_name: str, ttl_seconds: int) -> None:
        self._service = service
        self._table_name = table_name
        self._ttl_seconds = ttl_seconds
        self._lock = threading.Lock()
        self._create: Create | None = None

    def __call__(self, key: str, payload: str, warranty: WarrantyIn, lambda_context: Any) -> dict[str, Any]:
        with self._lock:
            if self._create is None:
                self._create = self._build()
        return self._create(key, payload, warranty, lambda_context)

    def _build(self) -> Create:
        from aws_lambda_powertools.utilities.idempotency import (
            DynamoDBPersistenceLayer,
            IdempotencyConfig,
            idempotent_function,
        )
        from aws_lambda_powertools.utilities.idempotency.exceptions import (
            IdempotencyAlreadyInProgressError,
            IdempotencyValidationError,
        )

        from shopfloor.platform import aws

        service = self._service
        config = IdempotencyConfig(
            event_key_jmespath="key",
            payload_validation_jmespath="payload",
            raise_on_no_idempotency_key=True,
            expires_after_seconds=self._ttl_seconds,
        )
        persistence = DynamoDBPersistenceLayer(
            table_name=self._table_name, boto3_client=aws.client("dynamodb")
        )

        @idempotent_function(  # type: ignore[untyped-decorator]  # Powertools types it loosely
            data_keyword_argument="request", persistence_store=persistence, config=config
        )
        def create(request: dict[str, str], warranty: WarrantyIn) -> dict[str, Any]:
            return service.create(warranty, request["payload"]).model_dump(mode="json")

        def create_once(key: str, payload: str, warranty: WarrantyIn, lambda_context: Any) -> dict[str, Any]:
            # The context lets an interrupted request's in-progress record expire with its invocation.
            config.register_lambda_context(lambda_context)
            try:
                created: dict[str, Any] = create(request={"key": key, "payload": payload}, warranty=warranty)
            except IdempotencyValidationError as error:
                raise IdempotencyKeyReusedError from error
            except IdempotencyAlreadyInProgressError as error:
                raise RequestInProgressError from error
            return created

        return create_once
