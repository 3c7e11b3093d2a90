"""Warranty logic: price the item by plan, keep store, item and warranty together."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from aws_lambda_powertools.metrics import MetricUnit

from shopfloor.platform.clock import iso, utc_now
from shopfloor.platform.idempotency import Created, IdempotentRequest, idempotent_request
from shopfloor.platform.observability import metrics
from shopfloor.platform.pagination import Page
from shopfloor.warranties.plans import quote
from shopfloor.warranties.schemas import Item, Store, Warranty, WarrantyIn

ROUTE = "POST /warranties"
# Business metric (namespace Shopfloor, dimension service=warranties): one per warranty created,
# none for a replayed Idempotency-Key.
WARRANTIES_CREATED = "WarrantiesCreated"


@dataclass(frozen=True)
class NewWarranty:
    """A warranty to store, with the request as received; `response` renders what is sent back
    once the store's creation time is known (now for a new store, else the stored one)."""

    id: int
    store_uuid: str
    item: Item
    warranty_price: float
    warranty_duration_months: int
    created_at: str
    request: str

    def response(self, store_created_at: str) -> Warranty:
        return Warranty(
            id=self.id,
            store=Store(uuid=self.store_uuid, created_at=store_created_at),
            item=self.item,
            warranty_price=self.warranty_price,
            warranty_duration_months=self.warranty_duration_months,
            created_at=self.created_at,
        )


class WarrantyRepository(Protocol):
    def add(self, warranty: NewWarranty, idempotency: IdempotentRequest | None) -> Created[Warranty]:
        """Stores the warranty with its store and item (created if new), and the request's key, in
        one transaction; or, when the key was recorded first, answers what that request created."""
        ...

    def get(self, warranty_id: int) -> Warranty | None: ...

    def list(self, limit: int, cursor: str | None) -> Page[Warranty]: ...

    def for_store_item(
        self, store_uuid: str, item_type: str, sku: str, limit: int, cursor: str | None
    ) -> Page[Warranty]: ...


class WarrantyService:
    def __init__(
        self,
        repository: WarrantyRepository,
        next_id: Callable[[], int],
        *,
        idempotency_ttl: timedelta = timedelta(days=1),
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self._repository = repository
        self._next_id = next_id
        self._idempotency_ttl = idempotency_ttl
        self._now = now

    def create(self, data: WarrantyIn, request: str, idempotency_key: str | None = None) -> Created[Warranty]:
        """A new warranty; with an Idempotency-Key already used for this request, the first one."""
        idempotency = idempotent_request(ROUTE, idempotency_key, data, self._idempotency_ttl)
        priced = quote(data.item_type, data.item_cost)
        warranty = NewWarranty(
            id=self._next_id(),
            store_uuid=data.store_uuid,
            item=Item(
                type=data.item_type, sku=data.item_sku, cost=float(data.item_cost), title=data.item_title
            ),
            warranty_price=float(priced.price),
            warranty_duration_months=priced.duration_months,
            created_at=iso(self._now()),
            request=request,
        )
        created = self._repository.add(warranty, idempotency)
        if not created.replayed:  # a replay answers the first request's warranty: nothing new
            metrics.add_metric(name=WARRANTIES_CREATED, unit=MetricUnit.Count, value=1)
        return created

    def get(self, warranty_id: int) -> Warranty | None:
        return self._repository.get(warranty_id)

    def list(self, limit: int, cursor: str | None) -> Page[Warranty]:
        return self._repository.list(limit, cursor)

    def for_store_item(
        self, store_uuid: str, item_type: str, sku: str, limit: int, cursor: str | None
    ) -> Page[Warranty]:
        return self._repository.for_store_item(store_uuid, item_type, sku, limit, cursor)


def request_payload(raw: str) -> object:
    """The request as received: its JSON, or the text itself when it is not JSON."""
    try:
        return json.loads(raw)
    except ValueError:
        return raw
