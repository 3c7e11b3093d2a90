"""The offers sync's worker: reconciles the products of one SQS batch (messages: catalog/dispatch.py)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from aws_lambda_powertools import Logger

from shopfloor.catalog.dispatch import SQS_BATCH, SyncMessage
from shopfloor.catalog.errors import NotRegisteredError
from shopfloor.catalog.offers_client import RemoteOffer
from shopfloor.catalog.offers_store import OffersStore
from shopfloor.catalog.reconcile import Offer, reconcile

logger = Logger(child=True)


class OffersSource(Protocol):
    """The offers service as the worker uses it (catalog/offers_client.OffersServiceClient)."""

    def register(self, product_uuid: uuid.UUID, name: str, description: str | None) -> None: ...

    def offers(self, product_uuid: uuid.UUID) -> list[RemoteOffer]: ...


@dataclass(frozen=True)
class SyncOutcome:
    product_id: int
    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    skipped: str | None = None


class OffersWorker:
    """Reconciles the products of one SQS batch; their offers are fetched concurrently."""

    def __init__(
        self,
        store: OffersStore,
        client: OffersSource,
        product_name: Callable[[int], tuple[str, str | None] | None],
        clock: Callable[[], datetime],
    ) -> None:
        self._store = store
        self._client = client
        self._product_name = product_name
        self._clock = clock
        # Kept for the container's life: its threads keep their HTTP connections warm.
        self._pool = ThreadPoolExecutor(max_workers=SQS_BATCH, thread_name_prefix="offers-sync")

    def handle(self, event: dict[str, Any]) -> dict[str, Any]:
        """The SQS partial batch response: only the messages listed fail and are retried.

        Built here rather than with Powertools' BatchProcessor: its module imports every parser
        model of every event source (measured 38 ms of this function's cold start) to do what
        these lines do.
        """
        records = event.get("Records") or []
        outcomes = self._run_concurrently(records)
        failures = [
            {"itemIdentifier": message_id}
            for message_id, outcome in outcomes
            if isinstance(outcome, Exception)
        ]
        return {"batchItemFailures": failures}

    def sync(self, message: SyncMessage) -> SyncOutcome:
        if message.purge:
            removed = self._store.remove_offers(message.product_id) + self._store.purge_history(
                message.product_id
            )
            return SyncOutcome(message.product_id, deleted=removed, skipped="purged")
        offers_id = message.offers_id
        if not message.registered or offers_id is None:
            offers_id = self._register(message.product_id, offers_id)
            if offers_id is None:
                return SyncOutcome(message.product_id, skipped="product deleted")
        try:
            reported = [
                Offer(id=str(offer.id), price=offer.price, items_in_stock=offer.items_in_stock)
                for offer in self._client.offers(uuid.UUID(offers_id))
            ]
        except NotRegisteredError:
            # Registered again by the next cycle's message; this one is retried, then dead-lettered.
            self._store.mark_unregistered(message.product_id)
            raise
        changes = reconcile(self._store.held_offers(message.product_id), reported)
        if not (changes.offers_changed or changes.cheapest_changed):
            return SyncOutcome(message.product_id)
        if not self._store.apply(message.product_id, changes, self._clock()):
            return SyncOutcome(message.product_id, skipped="product deleted")
        return SyncOutcome(
            message.product_id,
            inserted=len(changes.inserted),
            updated=len(changes.updated),
            deleted=len(changes.deleted),
        )

    def _register(self, product_id: int, offers_id: str | None) -> str | None:
        product = self._product_name(product_id)
        if product is None:
            return None
        name, description = product
        offers_id = offers_id or str(uuid.uuid4())
        self._client.register(uuid.UUID(offers_id), name, description)
        return offers_id if self._store.mark_registered(product_id, offers_id) else None

    def _run_concurrently(
        self, records: list[dict[str, Any]]
    ) -> Iterator[tuple[str, SyncOutcome | Exception]]:
        results = self._pool.map(self._sync_record, records)
        yield from zip((record["messageId"] for record in records), results, strict=True)

    def _sync_record(self, record: dict[str, Any]) -> SyncOutcome | Exception:
        try:
            outcome = self.sync(SyncMessage.model_validate(json.loads(record["body"])))
        except Exception as error:  # reported as this record's failure, retried by SQS
            logger.warning(
                "Offers sync failed", extra={"message_id": record["messageId"], "error": repr(error)}
            )
            return error
        logger.info("Offers synced", extra=outcome.__dict__)
        return outcome
