"""Warranties, stores and items in DynamoDB, through pynamodb."""

from __future__ import annotations

import json
import random
import time
from threading import Lock

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from shopfloor.platform.idempotency import Created, IdempotentRequest
from shopfloor.platform.idempotency_records import IdempotencyRecords
from shopfloor.platform.pagination import Page, decode_cursor, id_key, page_of
from shopfloor.platform.tables import (
    MAX_TRANSACTION_ATTEMPTS,
    TRANSACTION_BACKOFF_SECONDS,
    is_transaction_conflict,
)
from shopfloor.warranties.errors import WarrantyConflictError
from shopfloor.warranties.models import ItemModel, StoreModel, WarrantyModel
from shopfloor.warranties.schemas import Warranty
from shopfloor.warranties.service import NewWarranty

CONDITION_FAILED = "ConditionalCheckFailed"
# Stores whose creation time a container remembers (about 150 bytes each).
MAX_KNOWN_STORES = 100_000


def store_item_key(store_uuid: str, item_type: str, sku: str) -> str:
    # JSON arrays, not joined strings: no type or sku can make two keys alike.
    return json.dumps([store_uuid, item_type, sku], ensure_ascii=False)


def item_key(item_type: str, sku: str) -> str:
    return json.dumps([item_type, sku], ensure_ascii=False)


class DynamoWarrantyRepository:
    """One transaction per warranty: the store (created if new, else checked), the item (created if
    new, never changed), the warranty and, with an Idempotency-Key, the key's record. A store's
    creation time, once known, is remembered by the container, so a request from a known store is
    exactly one TransactWriteItems, with a key or without.

    A store the container has not met yet is read first (one consistent GetItem): stores call again
    and again, so it almost always exists already, and the read costs a fraction of the transaction
    it spares (one whose store condition would fail, in order to learn the store's creation time).
    A store created between the read and the transaction is still caught by that condition."""

    def __init__(
        self,
        warranties: type[WarrantyModel],
        stores: type[StoreModel],
        items: type[ItemModel],
        records: IdempotencyRecords,
        connection: Connection,
    ) -> None:
        self._warranties = warranties
        self._stores = stores
        self._items = items
        self._records = records
        self._connection = connection
        self._store_created: dict[str, str] = {}
        self._lock = Lock()

    def add(self, warranty: NewWarranty, idempotency: IdempotentRequest | None) -> Created[Warranty]:
        with self._lock:
            known = self._store_created.get(warranty.store_uuid)
        if known is None:
            known = self._stored_created_at(warranty.store_uuid)
        for attempt in range(MAX_TRANSACTION_ATTEMPTS):
            store_created_at = known or warranty.created_at
            try:
                self._write(warranty, known, warranty.response(store_created_at), idempotency)
            except TransactWriteError as error:
                recorded = None if idempotency is None else self._records.taken(error, idempotency)
                if recorded is not None and recorded.body is not None:
                    return Created(Warranty.model_validate_json(recorded.body), replayed=True)
                reasons = list(error.cancellation_reasons or [])
                store_reason = reasons[0] if reasons else None
                if store_reason is not None and store_reason.code == CONDITION_FAILED:
                    known = self._existing_store_created_at(warranty.store_uuid, store_reason.raw_item)
                    continue
                if is_transaction_conflict(error):
                    time.sleep(random.uniform(0, TRANSACTION_BACKOFF_SECONDS * 2**attempt))
                    continue
                raise
            with self._lock:
                if len(self._store_created) >= MAX_KNOWN_STORES:
                    self._store_created.clear()  # a bound on memory; forgotten stores cost one more call
                self._store_created[warranty.store_uuid] = store_created_at
            return Created(warranty.response(store_created_at))
        attempts = MAX_TRANSACTION_ATTEMPTS
        raise WarrantyConflictError(f"warranty {warranty.id}: {attempts} conflicting attempts")

    def _write(
        self,
        warranty: NewWarranty,
        store_created_at: str | None,
        response: Warranty,
        idempotency: IdempotentRequest | None,
    ) -> None:
        stores, items, warranties = self._stores, self._items, self._warranties
        item = warranty.item
        body = response.model_dump_json()
        with TransactWrite(connection=self._connection) as transaction:
            # The store first: a cancellation's first reason is the store's (see `add`).
            if store_created_at is None:
                transaction.save(
                    stores(warranty.store_uuid, created_at=warranty.created_at),
                    condition=stores.store_uuid.does_not_exist(),
                    return_values="ALL_OLD",
                )
            else:
                transaction.condition_check(
                    stores, warranty.store_uuid, condition=stores.created_at == store_created_at
                )
            if idempotency is not None:
                self._records.add_to(transaction, idempotency, warranty.id, body)
            transaction.update(
                items(item_key(item.type, item.sku)),
                actions=[
                    items.type.set(items.type | item.type),
                    items.sku.set(items.sku | item.sku),
                    items.title.set(items.title | item.title),
                    items.cost.set(items.cost | item.cost),
                    items.created_at.set(items.created_at | warranty.created_at),
                ],
            )
            transaction.save(
                warranties(
                    warranty.id,
                    store_item=store_item_key(warranty.store_uuid, item.type, item.sku),
                    store_uuid=warranty.store_uuid,
                    item_type=item.type,
                    item_sku=item.sku,
                    item_cost=item.cost,
                    item_title=item.title,
                    warranty_price=warranty.warranty_price,
                    warranty_duration_months=warranty.warranty_duration_months,
                    created_at=warranty.created_at,
                    request=warranty.request,
                    response=body,
                ),
                condition=warranties.id.does_not_exist(),
            )

    def _stored_created_at(self, store_uuid: str) -> str | None:
        try:
            store = self._stores.get(store_uuid, consistent_read=True, attributes_to_get=["created_at"])
        except self._stores.DoesNotExist:
            return None
        return str(store.created_at)

    def _existing_store_created_at(self, store_uuid: str, raw_item: dict[str, dict[str, str]] | None) -> str:
        if raw_item and "created_at" in raw_item:
            return raw_item["created_at"]["S"]
        return str(self._stores.get(store_uuid, consistent_read=True).created_at)

    def get(self, warranty_id: int) -> Warranty | None:
        try:
            return _to_warranty(self._warranties.get(warranty_id, attributes_to_get=["response"]))
        except self._warranties.DoesNotExist:
            return None

    def list(self, limit: int, cursor: str | None) -> Page[Warranty]:
        start = decode_cursor(cursor, ["id"]) if cursor else None
        results = self._warranties.scan(
            limit=limit + 1,
            page_size=limit + 1,
            last_evaluated_key=start,
            attributes_to_get=["id", "response"],
        )
        return page_of([_to_warranty(item) for item in results], limit, id_key)

    def for_store_item(
        self, store_uuid: str, item_type: str, sku: str, limit: int, cursor: str | None
    ) -> Page[Warranty]:
        key = store_item_key(store_uuid, item_type, sku)
        start = decode_cursor(cursor, ["id", "store_item"]) if cursor else None
        results = self._warranties.by_store_item.query(
            key, limit=limit + 1, page_size=limit + 1, last_evaluated_key=start
        )
        return page_of(
            [_to_warranty(item) for item in results],
            limit,
            lambda last: {"id": {"N": str(last.id)}, "store_item": {"S": key}},
        )


def _to_warranty(item: WarrantyModel) -> Warranty:
    return Warranty.model_validate_json(item.response)
