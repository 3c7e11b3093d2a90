"""Offers and price history in DynamoDB: reads by key, and each product's changes in one transaction
that holds only while the product still exists (a product deleted mid-sync keeps no offers)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from shopfloor.catalog.models import OfferModel, PriceHistoryModel, ProductModel
from shopfloor.catalog.reconcile import Offer, OfferChanges
from shopfloor.platform.clock import iso
from shopfloor.platform.tables import is_conditional_check_failure, shared_connection

# DynamoDB allows 100 actions per transaction; one is the product's condition check.
MAX_ACTIONS = 99
OFFER_ENTRY = "offer#"
CHEAPEST_ENTRY = "cheapest#"


def to_offer(item: OfferModel) -> Offer:
    return Offer(id=item.offer_id, price=int(item.price), items_in_stock=int(item.items_in_stock))


def offer_entry(moment: datetime, offer_id: str) -> str:
    return f"{OFFER_ENTRY}{iso(moment)}#{offer_id}"


def cheapest_entry(moment: datetime) -> str:
    return f"{CHEAPEST_ENTRY}{iso(moment)}"


class OffersStore:
    def __init__(
        self,
        products: type[ProductModel],
        offers: type[OfferModel],
        history: type[PriceHistoryModel],
        history_days: int,
    ) -> None:
        self._products = products
        self._offers = offers
        self._history = history
        self._history_days = history_days
        self._connection = shared_connection()

    def held_offers(self, product_id: int) -> list[Offer]:
        return [to_offer(item) for item in self._offers.query(product_id, consistent_read=True)]

    def apply(self, product_id: int, changes: OfferChanges, moment: datetime) -> bool:
        """Write the changes and their history; False when the product no longer exists."""
        actions = list(self._actions(product_id, changes, moment))
        for start in range(0, len(actions), MAX_ACTIONS):
            if not self._commit(product_id, actions[start : start + MAX_ACTIONS]):
                return False
        return True

    def mark_registered(self, product_id: int, offers_id: str) -> bool:
        try:
            self._products(product_id).update(
                actions=[self._products.offers_id.set(offers_id), self._products.registered.set(True)],
                condition=self._products.id.exists(),
            )
        except UpdateError as error:
            if is_conditional_check_failure(error):
                return False
            raise
        return True

    def mark_unregistered(self, product_id: int) -> None:
        try:
            self._products(product_id).update(
                actions=[self._products.registered.set(False)], condition=self._products.id.exists()
            )
        except UpdateError as error:
            if not is_conditional_check_failure(error):
                raise

    def remove_offers(self, product_id: int) -> int:
        removed = 0
        with self._offers.batch_write() as batch:
            for item in self._offers.query(product_id, consistent_read=True):
                batch.delete(item)
                removed += 1
        return removed

    def purge_history(self, product_id: int) -> int:
        removed = 0
        with self._history.batch_write() as batch:
            for item in self._history.query(product_id, attributes_to_get=["product_id", "entry"]):
                batch.delete(item)
                removed += 1
        return removed

    def _actions(
        self, product_id: int, changes: OfferChanges, moment: datetime
    ) -> Iterator[tuple[str, OfferModel | PriceHistoryModel]]:
        observed_at = iso(moment)
        expires_at = int((moment + timedelta(days=self._history_days)).timestamp())
        for offer in [*changes.inserted, *changes.updated]:
            yield (
                "save",
                self._offers(
                    product_id,
                    offer.id,
                    price=offer.price,
                    items_in_stock=offer.items_in_stock,
                    updated_at=observed_at,
                ),
            )
        for offer in changes.deleted:
            yield "delete", self._offers(product_id, offer.id)
        sold_out = [offer.model_copy(update={"items_in_stock": 0}) for offer in changes.deleted]
        for offer in [*changes.inserted, *changes.updated, *sold_out]:
            yield (
                "save",
                self._history(
                    product_id,
                    offer_entry(moment, offer.id),
                    offer_id=offer.id,
                    price=offer.price,
                    items_in_stock=offer.items_in_stock,
                    observed_at=observed_at,
                    expires_at=expires_at,
                ),
            )
        if changes.cheapest_changed:
            yield (
                "save",
                self._history(
                    product_id,
                    cheapest_entry(moment),
                    price=changes.cheapest_after,
                    observed_at=observed_at,
                    expires_at=expires_at,
                ),
            )

    def _commit(self, product_id: int, actions: list[tuple[str, OfferModel | PriceHistoryModel]]) -> bool:
        try:
            with TransactWrite(connection=self._connection) as transaction:
                transaction.condition_check(self._products, product_id, condition=self._products.id.exists())
                for kind, item in actions:
                    if kind == "save":
                        transaction.save(item)
                    else:
                        transaction.delete(item)
        except TransactWriteError as error:
            reasons = error.cancellation_reasons or []
            if reasons and reasons[0] is not None and reasons[0].code == "ConditionalCheckFailed":
                return False
            raise
        return True
