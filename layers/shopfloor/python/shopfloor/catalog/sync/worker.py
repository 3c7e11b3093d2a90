"""The offers sync's worker: reconciles the products of one SQS batch (messages: sync/messages.py)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import MetricUnit

from shopfloor.catalog.errors import NotRegisteredError
from shopfloor.catalog.offers_service.client import RemoteOffer
from shopfloor.catalog.sync.messages import SQS_BATCH, SyncMessage
from shopfloor.catalog.sync.reconcile import Offer, OfferChanges, reconcile
from shopfloor.catalog.sync.store import OffersStore
from shopfloor.platform.batch import BatchResponse, queue_response
from shopfloor.platform.observability import metrics

logger = Logger(child=True)

# Business metrics (namespace Shopfloor, dimension service=offers-worker), one value per batch: the
# offers that changed as the offers service reported them (a deleted product's purge is not counted).
OFFERS_INSERTED = "OffersInserted"
OFFERS_UPDATED = "OffersUpdated"
OFFERS_DELETED = "OffersDeleted"
PURGED = "purged"


class OffersSource(Protocol):
    """The offers service as the worker uses it (offers_service/client.OffersServiceClient)."""

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
    """Reconciles the products of one SQS batch: their offers are fetched and compared with those
    held concurrently, then the changes of the whole batch are written together."""

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

    def handle(self, event: dict[str, Any]) -> BatchResponse:
        """The SQS partial batch response (platform/batch.py): only the messages listed fail and
        are retried."""
        records = event.get("Records") or []
        outcomes = self._run(records)
        for outcome in outcomes:
            if isinstance(outcome, SyncOutcome):
                logger.debug("Offers synced", extra=outcome.__dict__)
        summary = _summary(outcomes)
        logger.info("Offers sync batch", extra=summary)
        metrics.add_metric(name=OFFERS_INSERTED, unit=MetricUnit.Count, value=summary["inserted"])
        metrics.add_metric(name=OFFERS_UPDATED, unit=MetricUnit.Count, value=summary["updated"])
        metrics.add_metric(name=OFFERS_DELETED, unit=MetricUnit.Count, value=summary["deleted"])
        return queue_response(records, outcomes)

    def sync(self, message: SyncMessage) -> SyncOutcome:
        """One product on its own."""
        fetched = self._fetch(message)
        if isinstance(fetched, SyncOutcome):
            return fetched
        step = _compare(
            message, self._store.held_offers([message.product_id])[message.product_id], fetched.offers
        )
        if isinstance(step, SyncOutcome):
            return step
        return _outcome(step, self._store.apply(step.product_id, step.changes, self._clock()))

    def _run(self, records: list[dict[str, Any]]) -> list[SyncOutcome | Exception]:
        """The batch's offers fetched concurrently while the offers held for it are read (one
        BatchGetItem), then compared, and the changes of the whole batch written together
        (store.OffersStore.apply_all): a few DynamoDB calls per batch, not two per product."""
        messages = [_message(record) for record in records]
        fetches = self._pool.map(self._fetch_safely, messages)  # running while the held offers are read
        wanted = {
            message.product_id
            for message in messages
            if isinstance(message, SyncMessage) and not message.purge
        }
        held: dict[int, list[Offer]] | Exception
        try:
            held = self._store.held_offers(wanted) if wanted else {}
        except Exception as error:  # every product that needs them fails, and is retried
            held = error
        steps: list[SyncOutcome | _Changed | Exception] = []
        for fetched in fetches:
            if not isinstance(fetched, _Reported):
                steps.append(fetched)  # an outcome already, or an error
            elif isinstance(held, Exception):
                steps.append(held)
            else:
                steps.append(_compare(fetched.message, held[fetched.message.product_id], fetched.offers))
        changed: dict[int, OfferChanges] = {}
        for step in steps:
            if isinstance(step, _Changed):
                changed.setdefault(step.product_id, step.changes)
        written = self._store.apply_all(changed, self._clock()) if changed else {}
        outcomes: list[SyncOutcome | Exception] = []
        for step in steps:
            if not isinstance(step, _Changed):
                outcomes.append(step)
            elif step.product_id not in written:
                # The product's second message in this batch: synced again, now that the first is written.
                outcomes.append(self._sync_safely(step.message))
            else:
                result = written.pop(step.product_id)
                outcomes.append(result if isinstance(result, Exception) else _outcome(step, result))
        return outcomes

    def _fetch(self, message: SyncMessage) -> SyncOutcome | _Reported:
        """The offers the service reports for the product, or the outcome of a message that needs
        no comparison (a purge, a product deleted before it could be registered)."""
        if message.purge:
            removed = self._store.remove_offers(message.product_id) + self._store.purge_history(
                message.product_id
            )
            return SyncOutcome(message.product_id, deleted=removed, skipped=PURGED)
        offers_id = message.offers_id
        if not message.registered or offers_id is None:
            offers_id = self._register(message.product_id, offers_id)
            if offers_id is None:
                return SyncOutcome(message.product_id, skipped="product deleted")
        try:
            remote = self._client.offers(uuid.UUID(offers_id))
        except NotRegisteredError:
            # Registered again by the next cycle's message; this one is retried, then dead-lettered.
            self._store.mark_unregistered(message.product_id)
            raise
        offers = [
            Offer(id=str(offer.id), price=offer.price, items_in_stock=offer.items_in_stock)
            for offer in remote
        ]
        return _Reported(message, offers)

    def _register(self, product_id: int, offers_id: str | None) -> str | None:
        product = self._product_name(product_id)
        if product is None:
            return None
        name, description = product
        offers_id = offers_id or str(uuid.uuid4())
        self._client.register(uuid.UUID(offers_id), name, description)
        return offers_id if self._store.mark_registered(product_id, offers_id) else None

    def _fetch_safely(self, message: SyncMessage | Exception) -> SyncOutcome | _Reported | Exception:
        if isinstance(message, Exception):
            return message
        try:
            return self._fetch(message)
        except Exception as error:  # reported as this record's failure, retried by SQS
            return error

    def _sync_safely(self, message: SyncMessage) -> SyncOutcome | Exception:
        try:
            return self.sync(message)
        except Exception as error:
            return error


def _summary(outcomes: list[SyncOutcome | Exception]) -> dict[str, int]:
    """One batch in numbers: its products (messages), the offers changed, the purges and failures."""
    synced = [outcome for outcome in outcomes if isinstance(outcome, SyncOutcome)]
    compared = [outcome for outcome in synced if outcome.skipped != PURGED]
    return {
        "products": len(outcomes),
        "inserted": sum(outcome.inserted for outcome in compared),
        "updated": sum(outcome.updated for outcome in compared),
        "deleted": sum(outcome.deleted for outcome in compared),
        "purged": len(synced) - len(compared),
        "failed": len(outcomes) - len(synced),
    }


def _message(record: dict[str, Any]) -> SyncMessage | Exception:
    try:
        return SyncMessage.model_validate(json.loads(record["body"]))
    except Exception as error:  # not a sync message: this record fails
        return error


def _compare(message: SyncMessage, held: list[Offer], reported: list[Offer]) -> SyncOutcome | _Changed:
    """The outcome when nothing changed, or the changes to write."""
    changes = reconcile(held, reported)
    if not (changes.offers_changed or changes.cheapest_changed):
        return SyncOutcome(message.product_id)
    return _Changed(message, changes)


@dataclass(frozen=True)
class _Reported:
    """What the offers service reports for a product."""

    message: SyncMessage
    offers: list[Offer]


@dataclass(frozen=True)
class _Changed:
    """A product whose offers changed: the changes to write, with the rest of its batch."""

    message: SyncMessage
    changes: OfferChanges

    @property
    def product_id(self) -> int:
        return self.message.product_id


def _outcome(step: _Changed, written: bool) -> SyncOutcome:
    if not written:
        return SyncOutcome(step.product_id, skipped="product deleted")
    return SyncOutcome(
        step.product_id,
        inserted=len(step.changes.inserted),
        updated=len(step.changes.updated),
        deleted=len(step.changes.deleted),
    )
