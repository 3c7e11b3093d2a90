"""Idempotency-Key records in DynamoDB, written in the transaction that creates (platform/idempotency.py).

A record is put only if there is none for its key, or the one there has expired (DynamoDB deletes
expired items through the TTL, but only eventually). When the condition fails, the transaction is
cancelled and hands back the record it found (`ReturnValuesOnConditionCheckFailure: ALL_OLD`):
a replay costs that one call, with no read before or after it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from shopfloor.platform.clock import iso, utc_now
from shopfloor.platform.idempotency import IdempotentRequest, KeyReusedError

CONDITION_FAILED = "ConditionalCheckFailed"


class IdempotencyRecordModel(Model):
    """The first response to a key: what it created (`resource_id`) and, where what was created may
    change later or is cheap to keep, the response body itself (JSON)."""

    class Meta:
        table_name = "idempotency"

    id = UnicodeAttribute(hash_key=True)  # `<route>[#<caller>]#<Idempotency-Key>`
    fingerprint = UnicodeAttribute()
    resource_id = NumberAttribute()
    body = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    # Epoch seconds, the table's TTL attribute; absent: kept as long as what the key created.
    expiration = NumberAttribute(null=True)


class Recorded:
    """A key's record as found: the first response's resource and body."""

    def __init__(self, resource_id: int, body: str | None) -> None:
        self.resource_id = resource_id
        self.body = body


class IdempotencyRecords:
    def __init__(self, model: type[IdempotencyRecordModel], now: Callable[[], float] = time.time) -> None:
        self._model = model
        self._now = now

    def add_to(
        self, transaction: TransactWrite, request: IdempotentRequest, resource_id: int, body: str | None
    ) -> None:
        """Put the key's record in `transaction`, only if the key is new (or expired)."""
        now = int(self._now())
        expiration = None if request.ttl is None else now + int(request.ttl.total_seconds())
        record = self._model(
            request.record_id,
            fingerprint=request.fingerprint,
            resource_id=resource_id,
            body=body,
            created_at=iso(utc_now()),
            expiration=expiration,
        )
        model = self._model
        new_key = model.id.does_not_exist() | (model.expiration < now)
        transaction.save(record, condition=new_key, return_values="ALL_OLD")

    def taken(self, error: TransactWriteError, request: IdempotentRequest) -> Recorded | None:
        """The key's record, when it is what cancelled the transaction (else None: something else
        did); KeyReusedError if the key came with another request."""
        own_key = {"S": request.record_id}
        for reason in error.cancellation_reasons or []:
            raw = reason.raw_item if reason is not None and reason.code == CONDITION_FAILED else None
            if raw and raw.get("id") == own_key and "fingerprint" in raw:
                return self._checked(self._model.from_raw_data(raw), request)
        return None

    def find(self, request: IdempotentRequest) -> Recorded | None:
        """One strongly consistent read: for a route that must know before it writes anything."""
        try:
            item = self._model.get(request.record_id, consistent_read=True)
        except self._model.DoesNotExist:
            return None
        if item.expiration is not None and item.expiration < self._now():
            return None
        return self._checked(item, request)

    @staticmethod
    def _checked(item: IdempotencyRecordModel, request: IdempotentRequest) -> Recorded:
        if item.fingerprint != request.fingerprint:
            raise KeyReusedError()
        return Recorded(int(item.resource_id), item.body)
